// "Available offline" as the renderer knows it: main's offline status (pins, download progress,
// usage against the limit) and the annotations made offline that met a change on the server, both
// kept current by main's events; and the actions on them (pin, unpin, sync, wipe, evict, resolve).
import { create } from 'zustand';
import type {
  AnnotationConflictItem,
  ExposedApi,
  OfflinePin,
  OfflineStatus,
  OfflineTarget,
} from '../../../../shared/ipc/contract.js';
import { messageOf } from '../../lib/errors.js';

/** The window.api functions this feature calls. */
export type OfflineApi = Pick<
  ExposedApi,
  | 'pinOffline'
  | 'unpinOffline'
  | 'getOfflineStatus'
  | 'syncOfflineNow'
  | 'wipeOfflineCache'
  | 'evictOfflineCopies'
  | 'listAnnotationConflicts'
  | 'resolveAnnotationConflict'
  | 'onOfflineChanged'
  | 'onAnnotationConflictsChanged'
>;

export type OfflineTask = 'sync' | 'wipe' | 'evict';

export interface OfflineState {
  /** main's last word on the offline copies; null until read (or when it could not be) */
  status: OfflineStatus | null;
  loadError: string | null;
  conflicts: AnnotationConflictItem[];
  /** pin/unpin requests under way, by target key, with the state asked for */
  pending: Record<string, boolean>;
  /** why the last pin/unpin of a target failed, by target key */
  pinErrors: Record<string, string>;
  /** sync, wipe or evict under way */
  busy: OfflineTask | null;
  /** why the last sync, wipe or evict failed */
  taskError: string | null;
  /** the conflict being resolved */
  resolving: string | null;
  resolveError: string | null;
  /** Subscribes to main's events and reads the status; the returned function disconnects. */
  connect(): () => void;
  load(): Promise<void>;
  setPinned(target: OfflineTarget, pinned: boolean): Promise<boolean>;
  /** Keeps or stops keeping one document offline (its own pin, not its patient's). */
  setDocumentPinned(documentId: string, pinned: boolean): Promise<boolean>;
  run(task: OfflineTask): Promise<boolean>;
  resolve(id: string, keep: 'mine' | 'theirs'): Promise<boolean>;
}

export function targetKey(target: OfflineTarget): string {
  if ('patientId' in target) return `patient:${target.patientId}`;
  if ('encounterId' in target) return `encounter:${target.encounterId}`;
  return `documents:${target.documentIds.join(',')}`;
}

export function patientPin(status: OfflineStatus | null, patientId: string): OfflinePin | null {
  return (
    status?.pins.find((p) => 'patientId' in p.target && p.target.patientId === patientId) ?? null
  );
}

/** Pins that name this document itself (not those of its patient or encounter). */
export function documentPins(status: OfflineStatus | null, documentId: string): OfflinePin[] {
  return (
    status?.pins.filter(
      (p) => 'documentIds' in p.target && p.target.documentIds.includes(documentId),
    ) ?? []
  );
}

export function patientPins(status: OfflineStatus | null): (OfflinePin & {
  target: { patientId: string };
})[] {
  return (status?.pins ?? []).filter(
    (p): p is OfflinePin & { target: { patientId: string } } => 'patientId' in p.target,
  );
}

/** Whether anything readable of a patient's records is kept on this computer. */
export function hasCachedCopies(status: OfflineStatus | null): boolean {
  return status !== null && (status.usage.usedBytes > 0 || status.pins.length > 0);
}

export function createOfflineStore(api: () => OfflineApi) {
  let connections = 0;
  let unsubscribers: (() => void)[] = [];
  /** bumped by every status that arrives, so a slower earlier answer never overwrites it */
  let statusSeq = 0;

  return create<OfflineState>((set, get) => {
    const showStatus = (status: OfflineStatus) => {
      statusSeq++;
      const before = get().status;
      set({ status, loadError: null });
      if (before && before.conflicts !== status.conflicts) void loadConflicts();
    };
    const loadConflicts = async () => {
      try {
        const list = await api().listAnnotationConflicts();
        if (connections > 0) set({ conflicts: list.items });
      } catch {
        // The next event or status brings them; a failed read shows nothing rather than a stale list.
      }
    };
    const withoutKey = <T>(record: Record<string, T>, key: string) => {
      const next = { ...record };
      delete next[key];
      return next;
    };

    return {
      status: null,
      loadError: null,
      conflicts: [],
      pending: {},
      pinErrors: {},
      busy: null,
      taskError: null,
      resolving: null,
      resolveError: null,

      connect() {
        connections++;
        if (connections === 1) {
          unsubscribers = [
            api().onOfflineChanged(showStatus),
            api().onAnnotationConflictsChanged((list) => set({ conflicts: list.items })),
          ];
          void get().load();
        }
        let connected = true;
        return () => {
          if (!connected) return;
          connected = false;
          connections--;
          if (connections === 0) {
            unsubscribers.forEach((unsubscribe) => unsubscribe());
            unsubscribers = [];
            // Signed out (the shell is gone): patients' names are not kept in memory meanwhile.
            statusSeq++;
            set({ status: null, conflicts: [], loadError: null });
          }
        };
      },

      async load() {
        const seq = statusSeq;
        const conflicts = loadConflicts();
        try {
          const status = await api().getOfflineStatus();
          if (seq === statusSeq && connections > 0) showStatus(status);
        } catch (error) {
          set({ loadError: `The offline copies could not be read: ${messageOf(error)}` });
        }
        await conflicts;
      },

      async setPinned(target, pinned) {
        const key = targetKey(target);
        set({
          pending: { ...get().pending, [key]: pinned },
          pinErrors: withoutKey(get().pinErrors, key),
        });
        try {
          const status = pinned ? await api().pinOffline(target) : await api().unpinOffline(target);
          showStatus(status);
          return true;
        } catch (error) {
          set({
            pinErrors: {
              ...get().pinErrors,
              [key]: pinned
                ? `Could not keep this offline: ${messageOf(error)}`
                : `Could not stop keeping this offline: ${messageOf(error)}`,
            },
          });
          return false;
        } finally {
          set({ pending: withoutKey(get().pending, key) });
        }
      },

      async setDocumentPinned(documentId, pinned) {
        if (pinned) return get().setPinned({ documentIds: [documentId] }, true);
        // A pin that names other documents too is replaced by one of the others alone.
        const pins = documentPins(get().status, documentId);
        let ok = true;
        for (const pin of pins) {
          if (!('documentIds' in pin.target)) continue;
          const rest = pin.target.documentIds.filter((id) => id !== documentId);
          if (rest.length > 0) ok = (await get().setPinned({ documentIds: rest }, true)) && ok;
          ok = (await get().setPinned(pin.target, false)) && ok;
        }
        if (pins.length === 0) ok = await get().setPinned({ documentIds: [documentId] }, false);
        return ok;
      },

      async run(task) {
        set({ busy: task, taskError: null });
        try {
          if (task === 'sync') showStatus(await api().syncOfflineNow());
          else if (task === 'wipe') showStatus(await api().wipeOfflineCache());
          else showStatus((await api().evictOfflineCopies({ allowPinned: true })).status);
          return true;
        } catch (error) {
          const what = {
            sync: 'The offline copies could not be brought up to date',
            wipe: 'The offline copies could not be removed',
            evict: 'Pinned copies could not be removed',
          }[task];
          set({ taskError: `${what}: ${messageOf(error)}` });
          return false;
        } finally {
          set({ busy: null });
        }
      },

      async resolve(id, keep) {
        set({ resolving: id, resolveError: null });
        try {
          const result = await api().resolveAnnotationConflict({ id, keep });
          set({ conflicts: result.conflicts.items });
          return true;
        } catch (error) {
          set({ resolveError: `The conflict could not be resolved: ${messageOf(error)}` });
          return false;
        } finally {
          set({ resolving: null });
        }
      },
    };
  });
}

export const useOffline = createOfflineStore(() => window.api);
