// Finds the files in what the user dropped or opened: files as given, folders recursively.
// Hidden files and the files operating systems and Office leave beside documents are skipped,
// never reported as rejected — the user did not mean them. Symbolic links to folders are not
// followed (they can loop); links to files are, as the user sees those as files.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Rejection } from '../../../shared/ingest/model.js';

/** Files Windows, macOS and Office create on their own, compared case-insensitively. */
const SYSTEM_FILES = new Set([
  'thumbs.db',
  'ehthumbs.db',
  'ehthumbs_vista.db',
  'desktop.ini',
  'icon\r',
  '$recycle.bin',
  'system volume information',
  '__macosx',
]);

/** Dot files (.DS_Store, .git), Office lock files (~$report.docx) and system files. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('~$') || SYSTEM_FILES.has(name.toLowerCase());
}

export interface FoundFile {
  path: string;
  /** the file's own name, as the user knows it */
  name: string;
}

export interface WalkResult {
  files: FoundFile[];
  /** folders or given paths that could not be read */
  unreadable: Rejection[];
  skipped: number;
}

/** Lists the files under `paths`; `onFound` is told the running count for progress. */
export async function findFiles(
  paths: readonly string[],
  signal: AbortSignal,
  onFound: (count: number) => void,
): Promise<WalkResult> {
  const result: WalkResult = { files: [], unreadable: [], skipped: 0 };
  const visit = async (target: string, followLinks: boolean): Promise<void> => {
    signal.throwIfAborted();
    const name = path.basename(target);
    let info;
    try {
      info = await stat(target);
    } catch (error) {
      result.unreadable.push(unreadable(target, error));
      return;
    }
    if (info.isFile()) {
      result.files.push({ path: target, name });
      onFound(result.files.length);
      return;
    }
    if (!info.isDirectory() || !followLinks) return;
    let entries;
    try {
      entries = await readdir(target, { withFileTypes: true });
    } catch (error) {
      result.unreadable.push(unreadable(target, error));
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (isIgnoredName(entry.name)) {
        result.skipped++;
        continue;
      }
      await visit(path.join(target, entry.name), !entry.isSymbolicLink());
    }
  };
  for (const given of paths) await visit(path.resolve(given), true);
  return result;
}

/** A rejection for a path that could not be read, saying why in words a user can act on. */
export function unreadable(target: string, error: unknown): Rejection {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'it no longer exists (moved or deleted?)'
      : code === 'EACCES' || code === 'EPERM'
        ? 'this computer account may not read it'
        : `it could not be read (${code ?? (error as Error).message})`;
  return {
    path: target,
    fileName: path.basename(target),
    code: 'unreadable',
    reason: `${path.basename(target)}: ${why}. Check the file and add it again.`,
  };
}
