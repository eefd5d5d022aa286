// Wraps the whole window so files and folders can be dropped anywhere into the inbox, and shows
// how an import goes: progress with cancel, then what was added, what was already there, what
// was refused and why (each reason names its file), and how many hidden files were skipped.
import { useRef, useState, type DragEvent, type ReactNode } from 'react';
import { useNavigation } from '../shell/navigation.js';
import { isHiddenOrSystem, useImport, type PickedFile } from './import-store.js';
import { ingestApi } from './ingest-api.js';
import { PAGE_DRAG_TYPE } from './PageStrip.js';
import { percentOf } from '../uploads/format.js';
import { plural } from './store.js';
import './inbox.css';

export function DropZone({ children }: { children: ReactNode }) {
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);

  const carriesFiles = (event: DragEvent) =>
    event.dataTransfer.types.includes('Files') &&
    !event.dataTransfer.types.includes(PAGE_DRAG_TYPE);

  return (
    <div
      className="drop-zone"
      onDragEnter={(event) => {
        if (!carriesFiles(event)) return;
        depth.current++;
        setDragging(true);
      }}
      onDragOver={(event) => {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={(event) => {
        if (!carriesFiles(event)) return;
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setDragging(false);
      }}
      onDrop={(event) => {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        depth.current = 0;
        setDragging(false);
        void addDropped(event.dataTransfer);
      }}
    >
      {children}
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <p>Drop files or folders to add them to the inbox</p>
        </div>
      )}
      <ImportPanel />
    </div>
  );
}

/**
 * Takes what was dropped. With paths (the desktop app) main walks folders itself; without them
 * (a browser) folders are walked here through their entries, skipping hidden and system files.
 * Entries must be taken while the drop event runs, so this reads them before its first await.
 */
export async function addDropped(transfer: DataTransfer): Promise<void> {
  const api = ingestApi();
  const files = Array.from(transfer.files);
  const entries = Array.from(transfer.items ?? [])
    .map((item) => (item.kind === 'file' ? item.webkitGetAsEntry?.() : null))
    .filter((entry): entry is FileSystemEntry => entry != null);
  const hasPaths = files.length > 0 && files.every((file) => !!api.pathForFile?.(file));
  if (hasPaths || entries.length === 0) {
    await useImport.getState().add(files.map((file) => ({ file, relativePath: file.name })));
    return;
  }
  const walked = await walkEntries(entries);
  await useImport.getState().add(walked.files, walked.skipped);
}

async function walkEntries(
  entries: readonly FileSystemEntry[],
): Promise<{ files: PickedFile[]; skipped: number }> {
  const files: PickedFile[] = [];
  let skipped = 0;
  const visit = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (isHiddenOrSystem(entry.name)) {
      skipped++;
      return;
    }
    const relativePath = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) =>
        (entry as FileSystemFileEntry).file(resolve, reject),
      );
      files.push({ file, relativePath });
    } else if (entry.isDirectory) {
      for (const child of await readAll(entry as FileSystemDirectoryEntry)) {
        await visit(child, relativePath);
      }
    }
  };
  for (const entry of entries) await visit(entry, '');
  return { files, skipped };
}

/** A directory reader hands out its entries in batches until one comes back empty. */
async function readAll(directory: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = directory.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

function ImportPanel() {
  const job = useImport((s) => s.job);
  const onInbox = useNavigation((s) => s.route.screen === 'inbox');
  if (!job) return null;
  const running = job.state === 'reading' || job.state === 'adding' || job.state === 'cancelling';
  const report = job.report;
  const percent = percentOf(job.done, job.total);

  return (
    <section className="import-panel" aria-labelledby="import-heading">
      <h2 id="import-heading">
        {running
          ? 'Adding files to the inbox'
          : job.state === 'cancelled'
            ? 'Import cancelled'
            : job.state === 'failed'
              ? 'Import failed'
              : 'Import finished'}
      </h2>
      {running && (
        <>
          <div
            className="transfer-progress"
            role="progressbar"
            aria-label="Import progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
            aria-valuetext={`${job.done} of ${job.total} files`}
          >
            <div className="transfer-progress-fill" style={{ width: `${percent}%` }} />
          </div>
          <p role="status">
            {job.state === 'cancelling'
              ? 'Cancelling…'
              : `${job.state === 'reading' ? 'Reading' : 'Adding'}${job.fileName ? ` ${job.fileName}` : ''} (${job.done} of ${job.total})`}
          </p>
        </>
      )}
      {job.error && (
        <p role="alert" className="notice notice-error">
          {job.error}
        </p>
      )}
      {report && (
        <div className="import-report" role={running ? undefined : 'status'}>
          <p>
            {report.added.length === 0
              ? 'No new files were added to the inbox.'
              : `${plural(report.added.length, 'file')} added to the inbox.`}
          </p>
          {report.duplicates.length > 0 && (
            <>
              <p>Already in the inbox, so not added again:</p>
              <ul aria-label="Already in the inbox">
                {report.duplicates.map((d) => (
                  <li key={d.path}>{d.fileName}</li>
                ))}
              </ul>
            </>
          )}
          {report.rejected.length > 0 && (
            <>
              <p>Not added:</p>
              <ul aria-label="Not added" className="import-rejected">
                {report.rejected.map((r) => (
                  <li key={`${r.path}:${r.code}`}>
                    {r.reason.includes(r.fileName) ? r.reason : `${r.fileName}: ${r.reason}`}
                  </li>
                ))}
              </ul>
            </>
          )}
          {report.skipped > 0 && (
            <p className="muted">
              {report.skipped === 1
                ? '1 hidden or system file was skipped.'
                : `${report.skipped} hidden or system files were skipped.`}
            </p>
          )}
        </div>
      )}
      <div className="import-buttons">
        {running ? (
          <button
            type="button"
            disabled={job.state === 'cancelling'}
            onClick={() => void useImport.getState().cancel()}
          >
            Cancel import
          </button>
        ) : (
          <>
            {!onInbox && (report?.added.length ?? 0) > 0 && (
              <button
                type="button"
                onClick={() => {
                  useNavigation.getState().go({ screen: 'inbox' });
                  useImport.getState().dismiss();
                }}
              >
                Open the inbox
              </button>
            )}
            <button type="button" onClick={() => useImport.getState().dismiss()}>
              Dismiss
            </button>
          </>
        )}
      </div>
    </section>
  );
}
