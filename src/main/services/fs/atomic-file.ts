// Durable file writes for the desktop's own records (inbox items, staged files, the secrets
// file, the upload journal's rewrites). A reader sees
// either the old file or the complete new one, never a torn write, and a rename that returned
// has reached the disk: write to a temporary name, fsync it, rename it over, fsync the folder.
import { randomUUID } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Temporary files carry this marker so a crash's leftovers can be recognised and removed. */
const TEMP_MARKER = '.tmp-';

export const isTempName = (name: string): boolean => name.includes(TEMP_MARKER);

/** A fresh temporary name beside `target`, in the same folder so the rename stays atomic. */
const tempPathFor = (target: string): string =>
  `${target}${TEMP_MARKER}${randomUUID().slice(0, 8)}`;

export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  options: { mode?: number } = {},
): Promise<void> {
  const temp = tempPathFor(target);
  try {
    const file = await open(temp, 'wx', options.mode ?? 0o666);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncFolder(path.dirname(target));
}

/**
 * Makes a rename or unlink in `dir` durable. Windows cannot open a folder for fsync (and its
 * NTFS journals renames itself), so there the open fails with EISDIR or EPERM and is skipped.
 */
export async function syncFolder(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch (error) {
    if (process.platform === 'win32') return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw error;
  } finally {
    await handle.close();
  }
}
