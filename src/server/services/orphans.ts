// Finds stored objects nothing refers to any more (a failed upload's leftovers, say): no
// document, profile image or unfinished upload behind them. Deletion stays opt-in.
import type { Database } from '../db/database.js';
import type { Clock } from '../clock.js';
import type { FileStorage, ObjectInfo } from '../storage/types.js';
import { thumbnailKey } from '../storage/keys.js';

export interface OrphanReport {
  scanned: number;
  orphans: ObjectInfo[];
  deleted: number;
}

export async function findOrphans(
  database: Database,
  storage: FileStorage,
  options: { olderThanMs: number; remove: boolean; clock: Clock },
): Promise<OrphanReport> {
  const known = await referencedKeys(database);
  const cutoff = options.clock().getTime() - options.olderThanMs;
  const report: OrphanReport = { scanned: 0, orphans: [], deleted: 0 };
  for await (const object of storage.listObjects()) {
    report.scanned++;
    if (known.has(object.key) || object.lastModified.getTime() > cutoff) continue;
    report.orphans.push(object);
    if (options.remove) {
      await storage.deleteObject(object.key);
      report.deleted++;
    }
  }
  return report;
}

/** Every key a document (deleted ones too: deletion is soft), profile or live upload uses. */
async function referencedKeys(database: Database): Promise<Set<string>> {
  const keys = new Set<string>();
  const add = (...found: (string | null)[]) => found.forEach((k) => k && keys.add(k));
  const db = database.db;
  // Pages by key rather than one big read, so memory stays bounded per page on both dialects.
  for await (const d of pages((after) =>
    db
      .selectFrom('document_references')
      .select(['id', 'storage_key', 'thumbnail_key'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute(),
  )) {
    add(d.storage_key, d.thumbnail_key);
  }
  for await (const p of pages((after) =>
    db
      .selectFrom('profile_images')
      .select(['image_key as id', 'avatar_key'])
      .where('image_key', '>', after)
      .orderBy('image_key')
      .limit(PAGE)
      .execute(),
  )) {
    add(p.id, p.avatar_key);
  }
  for await (const u of pages((after) =>
    db
      .selectFrom('uploads')
      .select(['id', 'storage_key', 'thumbnail_key'])
      .where('status', 'in', ['pending', 'verifying', 'completed'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute(),
  )) {
    add(u.storage_key, u.thumbnail_key ?? thumbnailKey(u.storage_key));
  }
  return keys;
}

const PAGE = 1000;

async function* pages<T extends { id: string }>(
  read: (after: string) => Promise<T[]>,
): AsyncGenerator<T> {
  let after = '';
  for (;;) {
    const page = await read(after);
    yield* page;
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.id;
  }
}

/** "7d", "12h", "30m" → milliseconds. */
export function parseAge(text: string): number {
  const match = /^(\d+)([dhm])$/.exec(text);
  if (!match)
    throw new Error(`--older-than takes a number and a unit (d, h or m), like 7d; got "${text}"`);
  const unit = { d: 86400_000, h: 3600_000, m: 60_000 }[match[2] as 'd' | 'h' | 'm'];
  return Number(match[1]) * unit;
}
