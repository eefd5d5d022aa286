// The file secrets are kept in: one JSON object of named, already-encoded values, replaced
// atomically (write a temporary file, fsync, rename, fsync the folder) so a crash mid-write leaves
// the old file or the new one, never half of each. Readable by the user only.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { SecretStoreError } from './secret-store.js';

/** The file's name in the app's data folder. */
export const SECRETS_FILE_NAME = 'secrets.json';

const FORMAT_VERSION = 1;

interface FileContents {
  version: number;
  secrets: Record<string, string>;
}

export class SecretFile {
  // Writes are chained so two changes at once cannot interleave and lose one of them.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  async read(): Promise<Record<string, string>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new SecretStoreError(
        `The saved secrets in ${this.file} could not be read: ${(error as Error).message}`,
      );
    }
    const contents = parseContents(text);
    if (!contents) {
      throw new SecretStoreError(
        `The saved secrets in ${this.file} are damaged. Delete the file and sign in again.`,
      );
    }
    return contents.secrets;
  }

  /** Applies `change` to the saved values and writes the result; changes run one at a time. */
  update(change: (secrets: Record<string, string>) => void): Promise<void> {
    const next = this.queue.then(async () => {
      const secrets = await this.read();
      change(secrets);
      await writeAtomically(this.file, JSON.stringify({ version: FORMAT_VERSION, secrets }));
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}

function parseContents(text: string): FileContents | undefined {
  try {
    const value = JSON.parse(text) as Partial<FileContents>;
    if (value.version !== FORMAT_VERSION || typeof value.secrets !== 'object' || !value.secrets) {
      return undefined;
    }
    const entries = Object.entries(value.secrets);
    if (!entries.every(([, secret]) => typeof secret === 'string')) return undefined;
    return {
      version: value.version,
      secrets: Object.fromEntries(entries) as Record<string, string>,
    };
  } catch {
    return undefined;
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, text, { mode: 0o600 });
  } catch (error) {
    throw new SecretStoreError(
      `The secrets file ${file} could not be saved: ${(error as Error).message}`,
    );
  }
}
