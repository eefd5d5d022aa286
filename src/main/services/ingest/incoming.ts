// Files that arrive as bytes rather than paths — what a renderer in a plain browser sends, since a
// browser never learns a dropped file's path. They are written under the names they came with,
// made safe for every file system, each into its own scratch folder (two files may share a name),
// and then ingested exactly like dropped files, so they pass the same checks and dedupe.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { IngestReport } from '../../../shared/ingest/model.js';

export interface IncomingFile {
  /** the name the user knows the file by; any folder part is dropped */
  name: string;
  data: Uint8Array;
}

/** Longest name written, in UTF-8 bytes: below every common file system's 255. */
const MAX_NAME_BYTES = 200;
/** Names Windows reserves for devices, with or without an extension. */
const RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;

/**
 * A name that is safe as one file name on Linux, macOS and Windows and still looks like the one
 * given: the last part of a path, without control characters or characters Windows refuses,
 * without trailing dots or spaces, and short enough, keeping its extension.
 */
export function safeFileName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  let safe = base
    .replace(/[\p{Cc}<>:"|?*]/gu, '_')
    .trim()
    .replace(/[. ]+$/, '');
  if (safe === '' || /^\.+$/.test(safe)) return 'file';
  if (RESERVED.test(safe)) safe = `_${safe}`;
  if (Buffer.byteLength(safe) <= MAX_NAME_BYTES) return safe;
  const dot = safe.lastIndexOf('.');
  const ext = dot > 0 && safe.length - dot <= 16 ? safe.slice(dot) : '';
  const stem = [...safe.slice(0, safe.length - ext.length)];
  while (stem.length > 0 && Buffer.byteLength(stem.join('') + ext) > MAX_NAME_BYTES) stem.pop();
  return stem.join('').trimEnd() + ext;
}

/**
 * Writes the files under `dir` (a new scratch folder) and ingests them with `ingestPaths`;
 * removes the folder again whatever happens. In the report, paths are the files' names: the
 * scratch paths are gone and meant nothing to the user.
 */
export async function ingestIncoming(
  dir: string,
  files: readonly IncomingFile[],
  ingestPaths: (paths: string[]) => Promise<IngestReport>,
): Promise<IngestReport> {
  try {
    const named = new Map<string, string>();
    const paths: string[] = [];
    for (const [i, file] of files.entries()) {
      const folder = path.join(dir, String(i));
      await mkdir(folder, { recursive: true });
      const name = safeFileName(file.name);
      const target = path.join(folder, name);
      await writeFile(target, file.data);
      named.set(target, name);
      paths.push(target);
    }
    const report = await ingestPaths(paths);
    const nameOf = (p: string): string => named.get(p) ?? path.basename(p);
    return {
      ...report,
      duplicates: report.duplicates.map((d) => ({ ...d, path: nameOf(d.path) })),
      rejected: report.rejected.map((r) => ({ ...r, path: nameOf(r.path) })),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
