// The inbox of unfiled items: one JSON file per item (<dir>/<id>.json, written atomically), an
// in-memory copy for reads, and the rule for staged bytes: they may be deleted only when no
// inbox item refers to them, no unfinished work has pinned them and the upload queue (asked
// through the injected isQueued) no longer needs them. Every change goes through exclusive(),
// so a clean-up never races an item that is about to refer to the bytes it deletes.
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { isTempName, syncFolder, writeFileAtomic } from '../fs/atomic-file.js';
import { IngestError } from './errors.js';
import type { IngestEvents } from './events.js';
import { InboxItem, type StagedFile } from '../../../shared/ingest/model.js';
import type { StagingStore, StoredName } from './staging.js';

/**
 * Whether the upload queue will still read these bytes: some entry with this SHA-256 is neither
 * confirmed by the server nor cancelled. False for an entry whose release is under way.
 */
export type IsQueued = (sha256: string) => boolean | Promise<boolean>;

const ITEM_FILE = /^([0-9a-f-]{36})\.json$/;
const DAMAGED_SUFFIX = '.damaged';

const INTERRUPTED_FILING =
  'Filing was interrupted before the upload queue took this item. File it again.';

export class Inbox {
  private readonly items = new Map<string, InboxItem>();
  /** Items a filing has taken but not yet marked on disk: not to be edited meanwhile. */
  private readonly reserved = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly staging: StagingStore,
    private readonly isQueued: IsQueued,
    private readonly events: IngestEvents,
  ) {}

  /**
   * Reads every item back. Unreadable item files are set aside (renamed *.damaged, never
   * deleted) and reported; filings a crash interrupted are finished or undone. Returns the
   * problems found, each naming its file.
   */
  async open(): Promise<string[]> {
    const problems: string[] = [];
    for (const name of await readdir(this.dir)) {
      const file = path.join(this.dir, name);
      if (isTempName(name)) {
        await rm(file, { force: true });
        continue;
      }
      if (!ITEM_FILE.test(name)) continue;
      const item = await readItem(file);
      if ('reason' in item) {
        await rename(file, `${file}${DAMAGED_SUFFIX}`);
        problems.push(
          `${file}: ${item.reason}. It was set aside as ${name}${DAMAGED_SUFFIX}; the file it described is no longer in the inbox.`,
        );
        continue;
      }
      this.items.set(item.id, item);
    }
    await this.exclusive(() => this.recover());
    return problems;
  }

  /** Items in the order they arrived. */
  list(): InboxItem[] {
    return [...this.items.values()].sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
    );
  }

  get(id: string): InboxItem | undefined {
    return this.items.get(id);
  }

  /** The item, ready to be changed: present and not being filed. */
  editable(id: string): InboxItem {
    const item = this.items.get(id);
    if (item === undefined) {
      throw new IngestError('not_found', `No inbox item ${id}: it may have been filed or removed.`);
    }
    if (item.filing !== undefined || this.reserved.has(id)) {
      throw new IngestError('busy', `"${item.originalName}" is being filed and cannot be changed.`);
    }
    return item;
  }

  /** Keeps items from being edited while a filing prepares them; returns the release. */
  reserve(ids: readonly string[]): () => void {
    ids.forEach((id) => this.reserved.add(id));
    return () => ids.forEach((id) => this.reserved.delete(id));
  }

  /** The item that already holds these bytes, as a whole file or as a page source. */
  holding(sha256: string): InboxItem | undefined {
    return this.list().find(
      (item) => item.file.sha256 === sha256 || item.pages?.some((p) => p.source.sha256 === sha256),
    );
  }

  /** Runs fn after every earlier change has finished, and before any later one starts. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Writes items (new or changed) to disk, then tells the renderer. Call inside exclusive(). */
  async save(items: readonly InboxItem[]): Promise<void> {
    for (const item of items) {
      await writeFileAtomic(this.fileOf(item.id), `${JSON.stringify(item, null, 1)}\n`);
      this.items.set(item.id, item);
    }
    if (items.length > 0)
      this.events.emit({ type: 'inbox-changed', changed: [...items], removed: [] });
  }

  /**
   * Removes items, then (unless told not to) deletes the staged bytes only they referred to.
   * Call inside exclusive().
   */
  async remove(ids: readonly string[], { collect = true } = {}): Promise<void> {
    const removed = ids.flatMap((id) => {
      const item = this.items.get(id);
      return item === undefined ? [] : [item];
    });
    for (const item of removed) {
      await rm(this.fileOf(item.id), { force: true });
      this.items.delete(item.id);
    }
    if (removed.length === 0) return;
    await syncFolder(this.dir);
    this.events.emit({ type: 'inbox-changed', changed: [], removed: removed.map((i) => i.id) });
    if (collect) await this.collect(removed.flatMap(stagedFilesOf));
  }

  /**
   * Deletes those of `files` nothing needs any more; returns the ones deleted. Call inside
   * exclusive().
   */
  async collect(files: readonly StoredName[]): Promise<StoredName[]> {
    const referenced = new Set(
      this.list()
        .flatMap(stagedFilesOf)
        .map((f) => f.sha256),
    );
    const deleted: StoredName[] = [];
    const seen = new Set<string>();
    for (const file of files) {
      if (seen.has(file.sha256)) continue;
      seen.add(file.sha256);
      if (referenced.has(file.sha256) || this.staging.isPinned(file.sha256)) continue;
      if (await this.isQueued(file.sha256)) continue;
      await this.staging.remove(file);
      deleted.push(file);
    }
    return deleted;
  }

  private fileOf(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }

  /**
   * Finishes filings that reached the queue and undoes those that did not; flags lost bytes.
   * Deletes no staged bytes: the upload queue may not have read its own records yet, and what
   * is left over goes with the next sweep.
   */
  private async recover(): Promise<void> {
    const finished: string[] = [];
    const changed: InboxItem[] = [];
    for (const item of this.list()) {
      const filing = item.filing;
      if (filing !== undefined) {
        if (filing.state === 'filed' || (await this.isQueued(filing.entry.sha256))) {
          finished.push(item.id);
          continue;
        }
        const { filing: _, ...unfiled } = item;
        changed.push(withProblem(unfiled, INTERRUPTED_FILING));
        continue;
      }
      const missing = await this.missingSources(item);
      if (missing !== undefined && !item.problems.includes(missing)) {
        changed.push(withProblem(item, missing));
      }
    }
    await this.save(changed);
    await this.remove(finished, { collect: false });
  }

  private async missingSources(item: InboxItem): Promise<string | undefined> {
    const sources = [item.file, ...(item.pages ?? []).map((p) => p.source)];
    for (const source of sources) {
      if (!(await this.staging.has(source))) {
        return `Its staged copy (${this.staging.pathOf(source)}) is missing, so it cannot be filed. Remove it and add the file again.`;
      }
    }
    return undefined;
  }
}

const withProblem = (item: InboxItem, problem: string): InboxItem => ({
  ...item,
  problems: [...item.problems, problem],
});

/** Every staged file an item refers to. */
function stagedFilesOf(item: InboxItem): StagedFile[] {
  const files = [item.file];
  if (item.thumbnail.status === 'ready') files.push(item.thumbnail.file);
  for (const page of item.pages ?? []) {
    files.push(page.source);
    if (page.thumbnail.status === 'ready') files.push(page.thumbnail.file);
  }
  if (item.filing?.built !== undefined) files.push(item.filing.built);
  return files;
}

async function readItem(file: string): Promise<InboxItem | { reason: string }> {
  const text = await readFile(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { reason: `it is not valid JSON (${(error as Error).message})` };
  }
  const parsed = InboxItem.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      reason: `it is not an inbox item (${issue?.path.join('.') || 'item'}: ${issue?.message})`,
    };
  }
  return parsed.data;
}
