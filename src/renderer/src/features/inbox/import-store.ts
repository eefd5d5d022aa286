// Adding dropped or chosen files and folders to the inbox, with progress and cancel. In the
// desktop app main reads the files itself from their paths (window.api.pathForFile). In a browser
// there are no paths, so the bytes are read here and sent in calls of at most 64 MB each.
import { create } from 'zustand';
import type { IngestReport, Rejection } from '../../../../shared/ingest/model.js';
import { MAX_INGEST_BYTES_PER_CALL } from '../../../../shared/ipc/ingest.js';
import { messageOf } from '../../lib/errors.js';
import { ingestApi, type IngestApi } from './ingest-api.js';

/** A file to add: a File from a drop or a file picker, with where it was inside a dropped folder. */
export interface PickedFile {
  file: File;
  /** e.g. "Scans/2024/a.pdf"; the file's own name when it was not inside a folder */
  relativePath: string;
}

export interface ImportJob {
  /** the job running now (one per call), to cancel it */
  jobId: string | null;
  state: 'reading' | 'adding' | 'cancelling' | 'done' | 'cancelled' | 'failed';
  done: number;
  total: number;
  fileName: string | null;
  report: IngestReport | null;
  error: string | null;
}

export interface ImportState {
  job: ImportJob | null;
  /** Adds what was dropped or chosen: paths where the platform gives them, else bytes. */
  add(files: readonly PickedFile[], skipped?: number): Promise<void>;
  cancel(): Promise<void>;
  dismiss(): void;
}

export interface ImportDependencies {
  api(): IngestApi;
  newJobId(): string;
  readBase64(file: File): Promise<string>;
}

export function createImportStore(deps: ImportDependencies) {
  let cancelled = false;

  return create<ImportState>((set, get) => {
    const update = (change: Partial<ImportJob>) => {
      const job = get().job;
      if (job) set({ job: { ...job, ...change } });
    };

    /** Runs one ingest call under its own job id, with its progress offset by the files before it. */
    const runJob = async (
      offset: number,
      total: number,
      call: (jobId: string) => Promise<IngestReport>,
    ): Promise<IngestReport> => {
      const jobId = deps.newJobId();
      update({ jobId, state: get().job?.state === 'cancelling' ? 'cancelling' : 'adding' });
      const unsubscribe = deps.api().onIngestProgress((progress) => {
        if (progress.jobId !== jobId) return;
        update({
          done: offset + progress.done,
          total: Math.max(total, offset + progress.total),
          fileName: progress.fileName ?? get().job?.fileName ?? null,
        });
      });
      try {
        return await call(jobId);
      } finally {
        unsubscribe();
      }
    };

    return {
      job: null,

      async add(files, skipped = 0) {
        const running = get().job;
        if (running && ['reading', 'adding', 'cancelling'].includes(running.state)) {
          update({ error: 'Wait for the files being added now, or cancel them, then drop again.' });
          return;
        }
        cancelled = false;
        set({
          job: {
            jobId: null,
            state: 'reading',
            done: 0,
            total: files.length,
            fileName: null,
            report: null,
            error: null,
          },
        });
        const api = deps.api();
        const reports: IngestReport[] = [];
        try {
          const paths: string[] = [];
          const bytes: PickedFile[] = [];
          for (const picked of files) {
            const path = api.pathForFile?.(picked.file);
            if (path) paths.push(path);
            else bytes.push(picked);
          }
          if (paths.length > 0) {
            reports.push(
              await runJob(0, files.length, (jobId) => api.ingestPaths({ paths, jobId })),
            );
          }
          const { calls, tooLarge } = chunk(bytes);
          reports.push(emptyReport({ rejected: tooLarge, skipped }));
          let offset = paths.length;
          for (const call of calls) {
            if (cancelled) break;
            update({ state: 'reading', fileName: call[0]?.relativePath ?? null });
            const sent = await Promise.all(
              call.map(async (p) => ({ name: p.file.name, data: await deps.readBase64(p.file) })),
            );
            if (cancelled) break;
            reports.push(
              await runJob(offset, files.length, (jobId) =>
                api.ingestFiles({ files: sent, jobId }),
              ),
            );
            offset += call.length;
          }
          const report = mergeReports(reports, cancelled);
          update({
            state: report.cancelled ? 'cancelled' : 'done',
            jobId: null,
            done: files.length,
            report,
          });
        } catch (error) {
          update({
            state: 'failed',
            jobId: null,
            report: reports.length ? mergeReports(reports, cancelled) : null,
            error: `The files could not be added: ${messageOf(error)}`,
          });
        }
      },

      async cancel() {
        const job = get().job;
        if (!job || !['reading', 'adding'].includes(job.state)) return;
        cancelled = true;
        update({ state: 'cancelling' });
        if (job.jobId) {
          try {
            await deps.api().cancelIngest({ jobId: job.jobId });
          } catch (error) {
            update({ error: `The import could not be cancelled: ${messageOf(error)}` });
          }
        }
      },

      dismiss() {
        const job = get().job;
        if (job && ['reading', 'adding', 'cancelling'].includes(job.state)) return;
        set({ job: null });
      },
    };
  });
}

const SYSTEM_FILES = new Set(['thumbs.db', 'desktop.ini', '.ds_store']);

/** Files and folders an import passes over, as main's own folder walk does. */
export function isHiddenOrSystem(name: string): boolean {
  return name.startsWith('.') || SYSTEM_FILES.has(name.toLowerCase());
}

/** Splits files into calls of at most MAX_INGEST_BYTES_PER_CALL; a file bigger than that alone is refused. */
export function chunk(files: readonly PickedFile[]): {
  calls: PickedFile[][];
  tooLarge: Rejection[];
} {
  const calls: PickedFile[][] = [];
  const tooLarge: Rejection[] = [];
  let current: PickedFile[] = [];
  let size = 0;
  for (const picked of files) {
    if (picked.file.size > MAX_INGEST_BYTES_PER_CALL) {
      tooLarge.push({
        path: picked.relativePath,
        fileName: picked.file.name,
        code: 'too_large_for_browser',
        reason: `${picked.file.name} is larger than ${MAX_INGEST_BYTES_PER_CALL / (1024 * 1024)} MB, more than a browser window can hand over. Add it in the desktop app, which reads it from disk.`,
      });
      continue;
    }
    if (current.length > 0 && size + picked.file.size > MAX_INGEST_BYTES_PER_CALL) {
      calls.push(current);
      current = [];
      size = 0;
    }
    current.push(picked);
    size += picked.file.size;
  }
  if (current.length > 0) calls.push(current);
  return { calls, tooLarge };
}

function emptyReport(change: Partial<IngestReport>): IngestReport {
  return {
    jobId: '',
    added: [],
    duplicates: [],
    rejected: [],
    skipped: 0,
    cancelled: false,
    ...change,
  };
}

export function mergeReports(reports: readonly IngestReport[], cancelled: boolean): IngestReport {
  return emptyReport({
    jobId: reports.at(-1)?.jobId ?? '',
    added: reports.flatMap((r) => r.added),
    duplicates: reports.flatMap((r) => r.duplicates),
    rejected: reports.flatMap((r) => r.rejected),
    skipped: reports.reduce((sum, r) => sum + r.skipped, 0),
    cancelled: cancelled || reports.some((r) => r.cancelled),
  });
}

/** The file's bytes as base64, read by the browser without copying them through JS strings. */
export function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () =>
      reject(
        new Error(`${file.name} could not be read: ${reader.error?.message ?? 'unknown error'}`),
      );
    reader.readAsDataURL(file);
  });
}

export const useImport = createImportStore({
  api: ingestApi,
  newJobId: () => crypto.randomUUID(),
  readBase64,
});
