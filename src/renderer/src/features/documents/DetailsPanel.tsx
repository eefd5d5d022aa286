// The selected document's details: title, category, encounter and date to correct, Open, and for
// administrators Delete, which asks first and can be undone (the API only marks it deleted).
import { useState, type FormEvent, type KeyboardEvent } from 'react';
import type {
  CategoryPermissions,
  DocumentPatch,
  DocumentReference,
  Encounter,
} from '../../../../shared/api/schemas.js';
import { CATEGORIES, type Category } from '../../../../shared/domain.js';
import { ConfirmDialog } from '../../lib/ConfirmDialog.js';
import { categoryLabel, formatBytes, formatDateTime } from '../../lib/format.js';
import { DocumentOfflineToggle } from '../offline/PinToggles.js';
import { kindOf } from './DocumentIcon.js';
import { encounterLabel } from './encounter-label.js';
import { useDocuments } from './useDocuments.js';

interface Props {
  document: DocumentReference;
  encounters: readonly Encounter[];
  permissions: CategoryPermissions | null;
  isAdmin: boolean;
  onOpen(): void;
}

export function DetailsPanel({ document: doc, encounters, permissions, isAdmin, onOpen }: Props) {
  const saving = useDocuments((s) => s.saving);
  const saveError = useDocuments((s) => s.saveError);
  const deleting = useDocuments((s) => s.deleting);
  const deleteError = useDocuments((s) => s.deleteError);
  const [title, setTitle] = useState(doc.title);
  const [category, setCategory] = useState<Category>(doc.category);
  const [encounterId, setEncounterId] = useState(doc.encounterId ?? '');
  const [documentDate, setDocumentDate] = useState(doc.documentDate);
  const [saved, setSaved] = useState(false);
  const [confirming, setConfirming] = useState(false);

  const canWrite = (c: Category) => permissions?.[c]?.write ?? true;
  const editable = canWrite(doc.category);
  const patch = changes(doc, { title, category, encounterId, documentDate });
  const titleMissing = title.trim() === '';

  const save = (event: FormEvent) => {
    event.preventDefault();
    if (!patch || titleMissing) return;
    setSaved(false);
    void useDocuments
      .getState()
      .update(doc.id, patch)
      .then((ok) => setSaved(ok));
  };

  return (
    <aside className="details card" aria-labelledby="details-heading" onKeyDown={backToGrid}>
      <h2 id="details-heading">Document details</h2>
      <p className="muted details-file">
        {doc.fileName} · {kindOf(doc.contentType)} · {formatBytes(doc.fileSize)}
        <br />
        Added {formatDateTime(doc.createdAt)}
      </p>
      <button type="button" className="primary" onClick={onOpen}>
        Open document
      </button>
      <DocumentOfflineToggle documentId={doc.id} patientId={doc.patientId} />
      <form className="form" onSubmit={save} aria-label="Edit document details">
        {!editable && (
          <p className="notice">
            Your role may not change {categoryLabel(doc.category)} documents.
          </p>
        )}
        <label>
          Title
          <input
            value={title}
            maxLength={200}
            required
            disabled={!editable}
            aria-invalid={titleMissing}
            onChange={(e) => {
              setTitle(e.target.value);
              setSaved(false);
            }}
          />
        </label>
        {titleMissing && <p className="error-text">Give the document a title.</p>}
        <label>
          Category
          <select
            value={category}
            disabled={!editable}
            onChange={(e) => {
              setCategory(e.target.value as Category);
              setSaved(false);
            }}
          >
            {CATEGORIES.filter((c) => c === doc.category || canWrite(c)).map((c) => (
              <option key={c} value={c}>
                {categoryLabel(c)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Encounter
          <select
            value={encounterId}
            disabled={!editable}
            onChange={(e) => {
              setEncounterId(e.target.value);
              setSaved(false);
            }}
          >
            <option value="">No encounter</option>
            {encounters.map((e) => (
              <option key={e.id} value={e.id}>
                {encounterLabel(e)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Document date
          <input
            type="date"
            value={documentDate}
            required
            disabled={!editable}
            onChange={(e) => {
              setDocumentDate(e.target.value);
              setSaved(false);
            }}
          />
        </label>
        {saveError && (
          <p role="alert" className="notice notice-error">
            {saveError}
          </p>
        )}
        <p role="status" className="muted">
          {saved && !patch ? 'Changes saved.' : ''}
        </p>
        <button type="submit" disabled={!editable || !patch || titleMissing || saving}>
          {saving ? 'Saving…' : 'Save changes'}
        </button>
      </form>
      {isAdmin && (
        <div className="danger-zone">
          {deleteError && (
            <p role="alert" className="notice notice-error">
              {deleteError}
            </p>
          )}
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Delete document
          </button>
        </div>
      )}
      {confirming && (
        <ConfirmDialog
          title="Delete this document?"
          confirmLabel="Delete"
          busy={deleting}
          onCancel={() => setConfirming(false)}
          onConfirm={() =>
            void useDocuments
              .getState()
              .remove(doc.id)
              .then((ok) => !ok && setConfirming(false))
          }
        >
          <p>
            “{doc.title}” will no longer be listed for this patient. An administrator can restore
            it.
          </p>
        </ConfirmDialog>
      )}
    </aside>
  );
}

/** Escape in the panel goes back to the document in the gallery or list, for the next arrow key. */
function backToGrid(event: KeyboardEvent<HTMLElement>) {
  if (event.key !== 'Escape' || event.defaultPrevented) return;
  const body = event.currentTarget.closest('.documents-body');
  const current = body?.querySelector<HTMLElement>('[data-index-key][aria-current="true"]');
  if (!current) return;
  event.preventDefault();
  current.focus();
}

/** The fields that differ from the document, or null when nothing does. */
function changes(
  doc: DocumentReference,
  form: { title: string; category: Category; encounterId: string; documentDate: string },
): DocumentPatch | null {
  const patch: DocumentPatch = {};
  if (form.title.trim() !== doc.title) patch.title = form.title.trim();
  if (form.category !== doc.category) patch.category = form.category;
  if ((form.encounterId || null) !== doc.encounterId) patch.encounterId = form.encounterId || null;
  if (form.documentDate && form.documentDate !== doc.documentDate) {
    patch.documentDate = form.documentDate;
  }
  return Object.keys(patch).length > 0 ? patch : null;
}
