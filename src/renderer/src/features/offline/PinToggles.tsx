// The "available offline" switches: one in a patient's documents header (the whole patient) and
// one in the document details panel (that document alone), each with what its copy is doing.
import { useEffect } from 'react';
import { documentPins, patientPin, targetKey, useOffline } from './store.js';
import { offlineCopyText } from './words.js';
import './offline.css';

/** Keeps the offline store connected to main while a component that shows it is mounted. */
export function useOfflineConnection(): void {
  useEffect(() => useOffline.getState().connect(), []);
}

export function PatientOfflineToggle({ patientId }: { patientId: string }) {
  useOfflineConnection();
  const target = { patientId };
  const key = targetKey(target);
  const status = useOffline((s) => s.status);
  const pending = useOffline((s) => s.pending[key]);
  const error = useOffline((s) => s.pinErrors[key]);
  const pin = patientPin(status, patientId);
  const pressed = pending ?? pin !== null;

  return (
    <div className="offline-toggle">
      <button
        type="button"
        className="toggle-button"
        aria-pressed={pressed}
        disabled={pending !== undefined}
        onClick={() => void useOffline.getState().setPinned(target, !pressed)}
      >
        Available offline
      </button>
      <span role="status" aria-label="Offline copy" className="muted offline-copy">
        {error ?? offlineCopyText(pin, status, pending)}
      </span>
    </div>
  );
}

export function DocumentOfflineToggle({
  documentId,
  patientId,
}: {
  documentId: string;
  patientId: string;
}) {
  useOfflineConnection();
  const key = targetKey({ documentIds: [documentId] });
  const status = useOffline((s) => s.status);
  const pending = useOffline((s) => s.pending[key]);
  const error = useOffline((s) => s.pinErrors[key]);
  const own = documentPins(status, documentId);
  const pressed = pending ?? own.length > 0;
  const withPatient = patientPin(status, patientId) !== null;

  return (
    <div className="offline-toggle">
      <button
        type="button"
        className="toggle-button"
        aria-pressed={pressed}
        disabled={pending !== undefined}
        onClick={() => void useOffline.getState().setDocumentPinned(documentId, !pressed)}
      >
        Keep this document offline
      </button>
      {error ? (
        <span role="alert" className="error-text">
          {error}
        </span>
      ) : (
        withPatient && (
          <span className="muted">Kept offline with the rest of this patient’s documents.</span>
        )
      )}
    </div>
  );
}
