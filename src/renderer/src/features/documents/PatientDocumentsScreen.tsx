// One patient's documents: header, filters and sort, the gallery or the list, and the selected
// document's details. Opening a document goes to the viewer with the documents in the order shown,
// so next/previous there follow what the user saw here.
import { useCallback, useEffect, useMemo } from 'react';
import { formatCount, formatDate, patientName } from '../../lib/format.js';
import { PatientOfflineToggle } from '../offline/PinToggles.js';
import { useSession } from '../session/useSession.js';
import { useNavigation } from '../shell/navigation.js';
import { DetailsPanel } from './DetailsPanel.js';
import { DocumentFiltersBar } from './DocumentFiltersBar.js';
import { DocumentGallery } from './DocumentGallery.js';
import { DocumentList } from './DocumentList.js';
import { hasFilters } from './document-order.js';
import { selectVisible, useDocuments } from './useDocuments.js';

export function PatientDocumentsScreen({ patientId }: { patientId: string }) {
  const user = useSession((s) => (s.session?.signedIn ? s.session.user : null));
  const patient = useDocuments((s) => s.patient);
  const patientError = useDocuments((s) => s.patientError);
  const encounters = useDocuments((s) => s.encounters);
  const total = useDocuments((s) => s.documents.length);
  const loading = useDocuments((s) => s.loading);
  const complete = useDocuments((s) => s.complete);
  const loadError = useDocuments((s) => s.loadError);
  const filters = useDocuments((s) => s.filters);
  const view = useDocuments((s) => s.view);
  const selectedId = useDocuments((s) => s.selectedId);
  const deleted = useDocuments((s) => s.deleted);
  const visible = useDocuments(selectVisible);

  useEffect(() => useDocuments.getState().open(patientId), [patientId]);

  const selectedIndex = useMemo(
    () => (selectedId ? visible.findIndex((d) => d.id === selectedId) : -1),
    [visible, selectedId],
  );
  const selected = selectedIndex >= 0 ? visible[selectedIndex] : undefined;

  const select = useCallback(
    (index: number) => useDocuments.getState().select(visible[index]?.id ?? null),
    [visible],
  );
  const open = useCallback(
    (index: number) => {
      const doc = visible[index];
      if (!doc) return;
      useDocuments.getState().select(doc.id);
      useNavigation.getState().go({
        screen: 'viewer',
        patientId,
        documentId: doc.id,
        siblings: visible.map((d) => d.id),
      });
    },
    [visible, patientId],
  );

  const heading = patient ? patientName(patient) : patientError ? 'Patient' : 'Loading patient…';
  return (
    <div className="screen documents-screen">
      <header className="screen-header">
        <button
          type="button"
          className="link-button"
          onClick={() => useNavigation.getState().go({ screen: 'patients' })}
        >
          ← Patients
        </button>
        <h1>{heading}</h1>
        {patient && (
          <p className="muted">
            MRN {patient.mrn}
            {patient.birthDate ? ` · born ${formatDate(patient.birthDate)}` : ''}
            {patient.sex ? ` · ${patient.sex}` : ''}
          </p>
        )}
        <PatientOfflineToggle patientId={patientId} />
        {patientError && (
          <p role="alert" className="notice notice-error">
            {patientError}
          </p>
        )}
      </header>

      <DocumentFiltersBar encounters={encounters} />

      <div className="documents-status">
        <p role="status" aria-live="polite" className="muted">
          {countText(visible.length, total, hasFilters(filters), complete)}
          {loading && !complete ? ' · loading more…' : ''}
        </p>
        {loadError && (
          <p role="alert" className="notice notice-error">
            {loadError}{' '}
            {!complete && (
              <button type="button" onClick={() => useDocuments.getState().resume()}>
                Load the rest
              </button>
            )}
          </p>
        )}
        {deleted && (
          <p role="status" className="notice">
            Deleted “{deleted.title}”.{' '}
            <button type="button" onClick={() => void useDocuments.getState().undoRemove()}>
              Undo delete
            </button>
          </p>
        )}
      </div>

      <div className="documents-body">
        {visible.length === 0 && complete ? (
          <p className="empty muted">
            {total === 0
              ? 'This patient has no documents yet. Files dropped or scanned into the Inbox can be filed here.'
              : 'No document matches these filters.'}
          </p>
        ) : view === 'gallery' ? (
          <DocumentGallery
            documents={visible}
            selectedIndex={selectedIndex}
            onSelect={select}
            onOpen={open}
          />
        ) : (
          <DocumentList
            documents={visible}
            encounters={encounters}
            selectedIndex={selectedIndex}
            onSelect={select}
            onOpen={open}
          />
        )}
        {selected && (
          <DetailsPanel
            key={`${selected.id}:${selected.updatedAt}`}
            document={selected}
            encounters={encounters}
            permissions={user?.permissions ?? null}
            isAdmin={user?.role === 'admin'}
            onOpen={() => open(selectedIndex)}
          />
        )}
      </div>
    </div>
  );
}

function countText(shown: number, total: number, filtered: boolean, complete: boolean): string {
  const all = complete
    ? formatCount(total, 'document', 'documents')
    : `${total.toLocaleString()} documents so far`;
  return filtered ? `Showing ${shown.toLocaleString()} of ${all}` : all;
}
