// The offline view log: documents opened from the cache, which the server did not see, with the
// time they were opened, kept until they are sent to the API's audit log. An append-only file of
// lines, each a sealed blob (base64) of one record: a view, or the ids of views sent. Appends
// are on disk (fdatasync) before they resolve; the file is rewritten with only unsent views
// after a send. A crash can tear only the last line, which reading drops.
import { randomUUID } from 'node:crypto';
import { open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { CacheKeys, openBlob, sealBlob } from './blob-crypto.js';
import type { OfflineView } from './model.js';

type ViewRecord = { type: 'view'; view: OfflineView } | { type: 'sent'; ids: string[] };

export class ViewLog {
  readonly #keys: CacheKeys;
  readonly #pending = new Map<string, { view: OfflineView; line: string }>();
  #handle: FileHandle | null = null;
  #chain: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    viewKey: Buffer,
  ) {
    this.#keys = new CacheKeys(viewKey);
  }

  /**
   * Opens the log. Lines sealed with another key (the cache's keys were lost or forgotten)
   * cannot be read by anyone: they are reported in `unreadable` and dropped.
   */
  static async open(file: string, viewKey: Buffer): Promise<{ log: ViewLog; unreadable: number }> {
    const log = new ViewLog(file, viewKey);
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const lines = text.split('\n');
    // The part after the last newline is a torn append, or nothing.
    lines.pop();
    let unreadable = 0;
    for (const line of lines) {
      const record = log.#unseal(line);
      if (!record) {
        unreadable++;
        continue;
      }
      if (record.type === 'view') log.#pending.set(record.view.id, { view: record.view, line });
      else for (const id of record.ids) log.#pending.delete(id);
    }
    await log.#rewrite();
    return { log, unreadable };
  }

  /** Views not yet sent, oldest first. */
  pending(): OfflineView[] {
    return [...this.#pending.values()]
      .map((p) => p.view)
      .sort((a, b) => a.viewedAt.localeCompare(b.viewedAt));
  }

  /** Records a view; resolves once it is on disk. */
  record(view: Omit<OfflineView, 'id'>): Promise<OfflineView> {
    const full: OfflineView = { id: randomUUID(), ...view };
    const line = this.#seal({ type: 'view', view: full });
    return this.#exclusive(async () => {
      await this.#append(line);
      this.#pending.set(full.id, { view: full, line });
      return full;
    });
  }

  /**
   * Hands the pending views to `send` (the API call) and forgets them once it resolves; views
   * recorded meanwhile stay for the next flush. Resolves with how many were sent.
   */
  async flush(send: (views: OfflineView[]) => Promise<void>): Promise<number> {
    const views = this.pending();
    if (views.length === 0) return 0;
    await send(views);
    const ids = views.map((v) => v.id);
    await this.#exclusive(async () => {
      await this.#append(this.#seal({ type: 'sent', ids }));
      for (const id of ids) this.#pending.delete(id);
      await this.#rewrite();
    });
    return ids.length;
  }

  /** Forgets every view, sent or not, and removes the file. */
  clear(): Promise<void> {
    return this.#exclusive(async () => {
      await this.#handle?.close();
      this.#handle = null;
      this.#pending.clear();
      await rm(this.file, { force: true });
    });
  }

  close(): Promise<void> {
    return this.#exclusive(async () => {
      await this.#handle?.close();
      this.#handle = null;
    });
  }

  #seal(record: ViewRecord): string {
    const id = randomUUID();
    const sealed = sealBlob(this.#keys, 'view', id, Buffer.from(JSON.stringify(record)));
    return `${id}.${sealed.toString('base64')}`;
  }

  #unseal(line: string): ViewRecord | null {
    const dot = line.indexOf('.');
    if (dot < 0) return null;
    try {
      const plain = openBlob(
        this.#keys,
        'view',
        line.slice(0, dot),
        Buffer.from(line.slice(dot + 1), 'base64'),
        'the offline view log',
      );
      return JSON.parse(plain.toString('utf8')) as ViewRecord;
    } catch {
      return null;
    }
  }

  async #append(line: string): Promise<void> {
    this.#handle ??= await open(this.file, 'a', 0o600);
    await this.#handle.appendFile(`${line}\n`);
    await this.#handle.datasync();
  }

  async #rewrite(): Promise<void> {
    await this.#handle?.close();
    this.#handle = null;
    const lines = [...this.#pending.values()].map((p) => `${p.line}\n`).join('');
    if (lines === '') await rm(this.file, { force: true });
    else await writeFileAtomic(this.file, lines, { mode: 0o600 });
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(task);
    this.#chain = run.catch(() => undefined);
    return run;
  }
}
