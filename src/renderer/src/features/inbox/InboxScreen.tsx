// The inbox: scanned, dropped and hot-folder items waiting to be filed. Pick items on the left,
// edit the open item's pages (rotate, reorder, delete, split), then assign a patient, encounter,
// category, title and date and file one item or all checked ones as one batch.
import { useEffect, useRef, useState } from 'react';
import { CATEGORIES, type Category } from '../../../../shared/domain.js';
import type { InboxItem } from '../../../../shared/ingest/model.js';
import { ConfirmDialog } from '../../lib/ConfirmDialog.js';
import { categoryLabel, formatDate, formatDateTime } from '../../lib/format.js';
import { ScanDialog } from '../scan/ScanDialog.js';
import { isHiddenOrSystem, useImport } from './import-store.js';
import { InboxThumbnail } from './InboxThumbnail.js';
import { PageStrip } from './PageStrip.js';
import { PatientPicker } from './PatientPicker.js';
import { filingSetOf, plural, useInbox } from './store.js';
import './inbox.css';

const SOURCE_WORDS: Record<InboxItem['source'], string> = {
  drop: 'Dropped',
  folder: 'Opened',
  'hot-folder': 'Hot folder',
  scanner: 'Scanned',
};

export function InboxScreen() {
  useEffect(() => useInbox.getState().connect(), []);
  const items = useInbox((s) => s.items);
  const status = useInbox((s) => s.status);
  const loadError = useInbox((s) => s.loadError);
  const checked = useInbox((s) => s.checked);
  const openId = useInbox((s) => s.openId);
  const busy = useInbox((s) => s.busy);
  const error = useInbox((s) => s.error);
  const notice = useInbox((s) => s.notice);
  const [scanning, setScanning] = useState(false);
  const open = items.find((i) => i.id === openId);
  const allChecked = items.length > 0 && checked.length === items.length;

  return (
    <section className="screen inbox" aria-labelledby="inbox-heading">
      <header className="inbox-header">
        <h1 id="inbox-heading">Inbox</h1>
        <div className="inbox-tools">
          <button type="button" onClick={() => setScanning(true)}>
            Scan…
          </button>
          <FilePickerButton label="Add files…" />
          <FilePickerButton label="Add a folder…" folder />
          <button
            type="button"
            disabled={checked.length < 2 || busy !== null}
            onClick={() => void useInbox.getState().mergeChecked()}
          >
            {checked.length >= 2 ? `Merge ${checked.length} items` : 'Merge items'}
          </button>
        </div>
      </header>
      <p className="muted">
        Drop files or folders anywhere in the window to add them, or scan paper.
      </p>
      {loadError && (
        <div role="alert" className="notice notice-error">
          {loadError}{' '}
          <button type="button" onClick={() => void useInbox.getState().load()}>
            Try again
          </button>
        </div>
      )}
      {error && (
        <p role="alert" className="notice notice-error">
          {error}
        </p>
      )}
      <p role="status" className="inbox-status">
        {busy ?? notice ?? ''}
      </p>
      {status === 'loading' && items.length === 0 && <p className="muted">Loading the inbox…</p>}
      {status === 'ready' && items.length === 0 && (
        <p className="muted">The inbox is empty: everything is filed.</p>
      )}
      {items.length > 0 && (
        <div className="inbox-body">
          <div className="inbox-list-column">
            <label className="inbox-check-all">
              <input
                type="checkbox"
                checked={allChecked}
                onChange={(e) => useInbox.getState().checkAll(e.target.checked)}
              />
              Select all
            </label>
            <ul className="inbox-list" aria-label="Inbox items">
              {items.map((item) => (
                <ItemCard
                  key={item.id}
                  item={item}
                  isOpen={item.id === openId}
                  isChecked={checked.includes(item.id)}
                />
              ))}
            </ul>
          </div>
          <div className="inbox-detail">
            {open && <PageStrip item={open} />}
            <FilingForm />
          </div>
        </div>
      )}
      {scanning && <ScanDialog onClose={() => setScanning(false)} />}
    </section>
  );
}

/** The keyboard's way to add files: a button that opens the system's file (or folder) picker. */
function FilePickerButton({ label, folder = false }: { label: string; folder?: boolean }) {
  const inputLabel = folder ? 'Folder to add' : 'Files to add';
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" onClick={() => input.current?.click()}>
        {label}
      </button>
      <input
        ref={input}
        type="file"
        aria-label={inputLabel}
        multiple
        hidden
        tabIndex={-1}
        {...(folder ? { webkitdirectory: '' } : {})}
        onChange={(event) => {
          const all = Array.from(event.target.files ?? []).map((file) => ({
            file,
            relativePath: file.webkitRelativePath || file.name,
          }));
          event.target.value = '';
          // A folder picker lists hidden files too; main's own folder walk passes over them.
          const files = all.filter((p) => !p.relativePath.split('/').some(isHiddenOrSystem));
          if (all.length > 0) void useImport.getState().add(files, all.length - files.length);
        }}
      />
    </>
  );
}

function ItemCard({
  item,
  isOpen,
  isChecked,
}: {
  item: InboxItem;
  isOpen: boolean;
  isChecked: boolean;
}) {
  const [confirming, setConfirming] = useState(false);
  const name = item.originalName;
  const pages = item.pages?.length ?? item.filePages;
  const blank = item.pages?.filter((p) => p.blank).length ?? 0;
  const busy = useInbox((s) => s.busy !== null);
  return (
    <li className={`inbox-item${isOpen ? ' inbox-item-open' : ''}`} aria-label={name}>
      <input
        type="checkbox"
        aria-label={`Select ${name}`}
        checked={isChecked}
        onChange={(e) => useInbox.getState().toggleChecked(item.id, e.target.checked)}
      />
      <button
        type="button"
        className="inbox-item-open-button"
        aria-pressed={isOpen}
        aria-label={`Open ${name}`}
        onClick={() => useInbox.getState().open(item.id)}
      >
        <InboxThumbnail
          thumbnail={item.thumbnail}
          alt={`First page of ${name}`}
          rotation={item.pages?.[0]?.rotation ?? 0}
        />
      </button>
      <div className="inbox-item-text">
        <span className="inbox-item-name">{name}</span>
        <span className="muted">
          {SOURCE_WORDS[item.source]} {formatDateTime(item.createdAt)} · {item.type.label}
          {pages ? ` · ${plural(pages, 'page')}` : ''}
        </span>
        {item.filing && <span className="inbox-flag">Being handed to the upload queue</span>}
        {blank > 0 && (
          <span className="inbox-flag">
            {blank === 1 ? '1 page looks blank' : `${blank} pages look blank`}: check before filing
          </span>
        )}
        {item.problems.length > 0 && (
          <ul className="inbox-problems" aria-label={`Problems with ${name}`}>
            {item.problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        )}
      </div>
      <div className="inbox-item-actions">
        <button type="button" aria-label={`Remove ${name}`} onClick={() => setConfirming(true)}>
          Remove
        </button>
        {confirming && (
          <ConfirmDialog
            title={`Remove ${name} from the inbox?`}
            confirmLabel="Remove from the inbox"
            busy={busy}
            onCancel={() => setConfirming(false)}
            onConfirm={() => {
              setConfirming(false);
              void useInbox.getState().remove(item.id);
            }}
          >
            <p>
              It leaves the inbox without being filed.{' '}
              {item.source === 'scanner'
                ? 'The scan is gone for good.'
                : 'The original file stays where it was.'}
            </p>
          </ConfirmDialog>
        )}
      </div>
    </li>
  );
}

function FilingForm() {
  const assignment = useInbox((s) => s.assignment);
  const encounters = useInbox((s) => s.encounters);
  const busy = useInbox((s) => s.busy !== null);
  const items = useInbox((s) => s.items);
  const checked = useInbox((s) => s.checked);
  const openId = useInbox((s) => s.openId);
  const filing = filingSetOf({ items, checked, openId });
  const store = useInbox.getState;
  const count = filing.length;
  const label = count === 1 ? 'File 1 item' : `File ${count} items`;

  return (
    <form
      className="filing form"
      aria-labelledby="filing-heading"
      onSubmit={(event) => {
        event.preventDefault();
        void store().file();
      }}
    >
      <h2 id="filing-heading">File to a chart</h2>
      <p className="muted">
        {count === 0
          ? 'Open or select items to file them.'
          : count === 1
            ? `Filing "${filing[0]!.originalName}".`
            : `Filing ${count} items as one batch: all are saved, or none.`}
      </p>
      <PatientPicker
        patient={assignment.patient}
        onChoose={(patient) => void store().choosePatient(patient)}
      />
      <label>
        Encounter
        <select
          value={assignment.encounterId ?? ''}
          disabled={!assignment.patient}
          onChange={(e) => store().assign({ encounterId: e.target.value || null })}
        >
          <option value="">No encounter</option>
          {encounters?.patientId === assignment.patient?.id &&
            encounters?.list.map((encounter) => (
              <option key={encounter.id} value={encounter.id}>
                {formatDate(encounter.startedAt)} · {encounter.type}
                {encounter.reason ? ` · ${encounter.reason}` : ''}
              </option>
            ))}
        </select>
      </label>
      <label>
        Category
        <select
          value={assignment.category ?? ''}
          aria-required="true"
          onChange={(e) =>
            store().assign({ category: (e.target.value || null) as Category | null })
          }
        >
          <option value="">Choose a category</option>
          {CATEGORIES.map((category) => (
            <option key={category} value={category}>
              {categoryLabel(category)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Title
        <input
          value={assignment.title}
          maxLength={200}
          placeholder={count > 1 ? 'Each keeps its own name' : (filing[0]?.originalName ?? '')}
          onChange={(e) => store().assign({ title: e.target.value })}
        />
      </label>
      <label>
        Document date
        <input
          type="date"
          value={assignment.documentDate}
          onChange={(e) => store().assign({ documentDate: e.target.value })}
        />
      </label>
      <button type="submit" disabled={count === 0 || busy}>
        {label}
      </button>
    </form>
  );
}
