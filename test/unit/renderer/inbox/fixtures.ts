// Inbox items as main would send them, for renderer tests: valid per the shared schemas (checked
// here, so a change there shows up as a failing fixture rather than a silently wrong test).
import { randomUUID } from 'node:crypto';
import {
  InboxItem,
  type InboxPage,
  type InboxItem as InboxItemType,
  type StagedFile,
} from '../../../../src/shared/ingest/model.js';

let counter = 0;

export function sha(): string {
  counter++;
  return counter.toString(16).padStart(64, '0');
}

export function staged(ext = 'pdf'): StagedFile {
  return { sha256: sha(), ext, size: 1234 };
}

export function page(change: Partial<InboxPage> = {}): InboxPage {
  return {
    id: randomUUID(),
    source: staged(),
    index: 0,
    rotation: 0,
    blank: false,
    thumbnail: { status: 'ready', file: staged('jpg'), width: 150, height: 200 },
    ...change,
  };
}

export function pdfItem(
  originalName: string,
  pageCount = 3,
  change: Partial<InboxItemType> = {},
): InboxItemType {
  const pages = Array.from({ length: pageCount }, (_, index) => page({ index }));
  return InboxItem.parse({
    id: randomUUID(),
    source: 'drop',
    originalName,
    createdAt: '2026-11-27T10:00:00.000Z',
    type: { mime: 'application/pdf', ext: 'pdf', kind: 'document', label: 'PDF document' },
    file: staged(),
    pages,
    filePages: pageCount,
    thumbnail: pages[0]!.thumbnail,
    problems: [],
    ...change,
  });
}

export const patient = {
  id: '6f1d3c55-8b4e-4a57-9d2a-1f0e7a3b9c11',
  mrn: 'MRN-0042',
  givenName: 'Ada',
  familyName: 'Lovelace',
  birthDate: '1815-12-10',
  sex: 'female',
};

export const encounter = {
  id: '0b7c8e2a-3c1d-4f5e-8a9b-2c3d4e5f6a7b',
  patientId: patient.id,
  startedAt: '2026-11-20T09:30:00.000Z',
  type: 'Office visit',
  reason: 'Follow-up',
  status: 'finished',
};

/**
 * Answers for the page-operation channels as main gives them (the changed item, the split parts,
 * the merged item), kept in a small model so one change builds on the one before, and nothing
 * else: main's inbox snapshots are left to the test to send.
 */
export function pageOperations(items: InboxItemType[]) {
  const byId = new Map(items.map((item) => [item.id, item]));
  const get = (id: string) => {
    const item = byId.get(id);
    if (!item) throw new Error(`no inbox item ${id}`);
    return item;
  };
  const save = (item: InboxItemType) => {
    byId.set(item.id, item);
    return Promise.resolve(item);
  };
  return {
    rotatePages: ({
      itemId,
      pageIds,
      turn,
    }: {
      itemId: string;
      pageIds: string[];
      turn: number;
    }) => {
      const item = get(itemId);
      return save({
        ...item,
        pages: item.pages!.map((p) =>
          pageIds.includes(p.id)
            ? {
                ...p,
                rotation: ((((p.rotation + turn) % 360) + 360) % 360) as InboxPage['rotation'],
              }
            : p,
        ),
      });
    },
    reorderPages: ({ itemId, pageIds }: { itemId: string; pageIds: string[] }) => {
      const item = get(itemId);
      return save({ ...item, pages: pageIds.map((id) => item.pages!.find((p) => p.id === id)!) });
    },
    deletePages: ({ itemId, pageIds }: { itemId: string; pageIds: string[] }) => {
      const item = get(itemId);
      return save({ ...item, pages: item.pages!.filter((p) => !pageIds.includes(p.id)) });
    },
    splitItem: ({ itemId, startPageIds }: { itemId: string; startPageIds: string[] }) => {
      const item = get(itemId);
      byId.delete(itemId);
      const parts: InboxItemType[] = [];
      for (const page of item.pages!) {
        if (parts.length === 0 || startPageIds.includes(page.id)) {
          parts.push({
            ...item,
            id: randomUUID(),
            originalName: `${item.originalName} (part ${parts.length + 1})`,
            pages: [],
          });
        }
        parts.at(-1)!.pages!.push(page);
      }
      parts.forEach((part) => byId.set(part.id, part));
      return Promise.resolve(parts);
    },
    mergeItems: ({ itemIds }: { itemIds: string[] }) => {
      const merging = itemIds.map(get);
      itemIds.forEach((id) => byId.delete(id));
      return save({
        ...merging[0]!,
        id: randomUUID(),
        originalName: `${merging[0]!.originalName} (merged)`,
        pages: merging.flatMap((item) => item.pages ?? []),
      });
    },
    removeItem: ({ itemId }: { itemId: string }) => {
      byId.delete(itemId);
      return Promise.resolve(undefined);
    },
  };
}
