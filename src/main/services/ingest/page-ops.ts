// Page operations on inbox items before filing: rotate, reorder, delete, split, merge. They
// change only the item's page list — each page still points at its page in the staged PDF it
// came from — so they are instant and lossless; the edited PDF is built once, when the item is
// filed (./filing.ts). Split and merge write the new items before removing the old ones, so a
// crash in between leaves pages twice, never lost.
import { randomUUID } from 'node:crypto';
import { IngestError } from './errors.js';
import type { Inbox } from './inbox.js';
import type { InboxItem, InboxPage, Rotation } from '../../../shared/ingest/model.js';

export type Turn = 90 | 180 | 270 | -90;

function pagesOf(item: InboxItem): InboxPage[] {
  if (item.pages === undefined) {
    const why = item.problems.find((p) => p.startsWith('Its pages cannot be edited'));
    throw new IngestError(
      'not_editable',
      why === undefined
        ? `"${item.originalName}" is a ${item.type.label}; only PDFs and scans have pages to edit.`
        : `"${item.originalName}": ${why}`,
    );
  }
  return item.pages;
}

/** The item with these pages; its thumbnail is always its first page's. */
const withPages = (item: InboxItem, pages: InboxPage[]): InboxItem => ({
  ...item,
  pages,
  thumbnail: pages[0]!.thumbnail,
});

function pickPages(item: InboxItem, pageIds: readonly string[]): Set<string> {
  const known = new Set(pagesOf(item).map((p) => p.id));
  const unknown = pageIds.find((id) => !known.has(id));
  if (unknown !== undefined) {
    throw new IngestError('invalid_request', `"${item.originalName}" has no page ${unknown}.`);
  }
  return new Set(pageIds);
}

export function rotatePages(
  inbox: Inbox,
  itemId: string,
  pageIds: readonly string[],
  turn: Turn,
): Promise<InboxItem> {
  return inbox.exclusive(async () => {
    const item = inbox.editable(itemId);
    const chosen = pickPages(item, pageIds);
    const pages = pagesOf(item).map((page) =>
      chosen.has(page.id)
        ? { ...page, rotation: ((((page.rotation + turn) % 360) + 360) % 360) as Rotation }
        : page,
    );
    const changed = withPages(item, pages);
    await inbox.save([changed]);
    return changed;
  });
}

/** `pageIds` is every page of the item, in the new order. */
export function reorderPages(
  inbox: Inbox,
  itemId: string,
  pageIds: readonly string[],
): Promise<InboxItem> {
  return inbox.exclusive(async () => {
    const item = inbox.editable(itemId);
    const pages = pagesOf(item);
    const byId = new Map(pages.map((p) => [p.id, p]));
    if (pageIds.length !== pages.length || new Set(pageIds).size !== pages.length) {
      throw new IngestError(
        'invalid_request',
        `A new page order for "${item.originalName}" must list each of its ${pages.length} pages once.`,
      );
    }
    pickPages(item, pageIds);
    const changed = withPages(
      item,
      pageIds.map((id) => byId.get(id)!),
    );
    await inbox.save([changed]);
    return changed;
  });
}

export function deletePages(
  inbox: Inbox,
  itemId: string,
  pageIds: readonly string[],
): Promise<InboxItem> {
  return inbox.exclusive(async () => {
    const item = inbox.editable(itemId);
    const chosen = pickPages(item, pageIds);
    const pages = pagesOf(item).filter((p) => !chosen.has(p.id));
    if (pages.length === 0) {
      throw new IngestError(
        'invalid_request',
        `That would delete every page of "${item.originalName}". Remove the item instead.`,
      );
    }
    const changed = withPages(item, pages);
    await inbox.save([changed]);
    // The pages' thumbnails may now be unreferenced.
    await inbox.collect(
      pagesOf(item).flatMap((p) => (p.thumbnail.status === 'ready' ? [p.thumbnail.file] : [])),
    );
    return changed;
  });
}

/**
 * Splits an item into several, a new one starting at each page in `startPageIds` (the first
 * page always starts one). Returns the new items in page order.
 */
export function splitItem(
  inbox: Inbox,
  itemId: string,
  startPageIds: readonly string[],
): Promise<InboxItem[]> {
  return inbox.exclusive(async () => {
    const item = inbox.editable(itemId);
    const starts = pickPages(item, startPageIds);
    const groups: InboxPage[][] = [];
    for (const page of pagesOf(item)) {
      if (groups.length === 0 || starts.has(page.id)) groups.push([]);
      groups.at(-1)!.push(page);
    }
    if (groups.length < 2) {
      throw new IngestError(
        'invalid_request',
        `Choose a page after the first where "${item.originalName}" should be split.`,
      );
    }
    const { stem, ext } = splitName(item.originalName);
    const created = new Date(item.createdAt).getTime();
    const parts = groups.map((pages, i) =>
      withPages(
        {
          ...item,
          id: randomUUID(),
          originalName: `${stem} (${i + 1} of ${groups.length})${ext}`,
          // Just after the original, in order, so the parts stay where it was in the list.
          createdAt: new Date(created + i).toISOString(),
        },
        pages,
      ),
    );
    await inbox.save(parts);
    await inbox.remove([item.id]);
    return parts;
  });
}

/** One item from several, pages in the order the items are given; named after the first. */
export function mergeItems(inbox: Inbox, itemIds: readonly string[]): Promise<InboxItem> {
  return inbox.exclusive(async () => {
    if (itemIds.length < 2 || new Set(itemIds).size !== itemIds.length) {
      throw new IngestError('invalid_request', 'Choose at least two different items to merge.');
    }
    const items = itemIds.map((id) => inbox.editable(id));
    const pages = items.flatMap(pagesOf);
    const first = items[0]!;
    const merged = withPages(
      {
        ...first,
        id: randomUUID(),
        problems: [...new Set(items.flatMap((i) => i.problems))],
      },
      pages,
    );
    await inbox.save([merged]);
    await inbox.remove(itemIds);
    return merged;
  });
}

export function removeItem(inbox: Inbox, itemId: string): Promise<void> {
  return inbox.exclusive(async () => {
    inbox.editable(itemId);
    await inbox.remove([itemId]);
  });
}

/** "Scan 2026-11-27.pdf" → stem "Scan 2026-11-27", ext ".pdf". */
export function splitName(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? { stem: name.slice(0, dot), ext: name.slice(dot) } : { stem: name, ext: '' };
}
