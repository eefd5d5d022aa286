// Offline statuses and conflicts as main reports them, for the offline feature's tests.
import type {
  AnnotationConflictItem,
  OfflinePin,
  OfflineStatus,
} from '../../../../src/shared/ipc/contract.js';
import { useOffline } from '../../../../src/renderer/src/features/offline/store.js';

export const PATIENT_ID = '10000000-0000-4000-8000-000000000001';
export const OTHER_PATIENT_ID = '10000000-0000-4000-8000-000000000002';
export const DOCUMENT_ID = '30000000-0000-4000-8000-000000000001';

const initialOffline = useOffline.getState();
export function resetOfflineStore(): void {
  useOffline.setState(initialOffline, true);
}

export function status(fields: Partial<OfflineStatus> = {}): OfflineStatus {
  return {
    available: true,
    pins: [],
    sync: {
      state: 'idle',
      documentsDone: 0,
      documentsTotal: 0,
      bytesDone: 0,
      bytesTotal: 0,
      currentDocumentId: null,
      overLimit: 0,
      lastSyncedAt: null,
      message: null,
    },
    usage: { usedBytes: 0, limitBytes: 500 * 1024 * 1024, pinnedBytes: 0, patients: [] },
    maxAgeMs: null,
    needsEvictionConsent: false,
    pendingAnnotations: 0,
    pendingViews: 0,
    conflicts: 0,
    ...fields,
  };
}

export function pin(target: OfflinePin['target'], fields: Partial<OfflinePin> = {}): OfflinePin {
  return {
    id: '40000000-0000-4000-8000-000000000001',
    target,
    label: 'Grace Hopper (MRN MRN-1)',
    state: 'ready',
    documentsCached: 5,
    bytes: 5_000,
    createdAt: '2026-11-28T01:00:00.000Z',
    ...fields,
  };
}

/** A status with one pinned patient in the given state. */
export function pinnedPatient(
  state: OfflinePin['state'],
  sync: Partial<OfflineStatus['sync']> = {},
  patientId = PATIENT_ID,
): OfflineStatus {
  const base = status();
  return status({
    pins: [pin({ patientId }, { state, documentsCached: state === 'ready' ? 5 : 2 })],
    sync: { ...base.sync, ...sync },
    usage: {
      ...base.usage,
      usedBytes: 5_000,
      pinnedBytes: 5_000,
      patients: [
        {
          patientId,
          name: 'Hopper, Grace',
          mrn: 'MRN-1',
          documents: 5,
          bytes: 5_000,
          pinnedBytes: 5_000,
        },
      ],
    },
  });
}

export function conflict(fields: Partial<AnnotationConflictItem> = {}): AnnotationConflictItem {
  return {
    id: '50000000-0000-4000-8000-000000000001',
    annotationId: '60000000-0000-4000-8000-000000000001',
    documentId: DOCUMENT_ID,
    reason: 'changed-on-server',
    message: 'The annotation was changed on the server.',
    baseVersion: 1,
    mine: {
      action: 'update',
      type: 'text',
      pageNumber: 1,
      content: { x: 0.1, y: 0.1, text: 'Fracture healing well', color: '#ff0000' },
    },
    theirs: {
      id: '60000000-0000-4000-8000-000000000001',
      documentId: DOCUMENT_ID,
      pageNumber: 1,
      version: 2,
      type: 'text',
      content: { x: 0.1, y: 0.1, text: 'Fracture not healed', color: '#ff0000' },
      createdBy: '00000000-0000-4000-8000-000000000009',
      createdByName: 'Bob Bee',
      createdAt: '2026-11-27T09:00:00.000Z',
      updatedAt: '2026-11-28T01:30:00.000Z',
    },
    madeAt: '2026-11-28T01:20:00.000Z',
    detectedAt: '2026-11-28T01:40:00.000Z',
    ...fields,
  };
}
