// @vitest-environment jsdom
// The annotations store against a fake window.api that keeps annotations the way the API does:
// each change bumps the version, and a change sent with an older version is refused with the
// code 'conflict'. The Electron IPC between them is the one part that cannot run here.
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Annotation, AnnotationContent } from '../../../../src/shared/api/annotations.js';
import { RemoteError } from '../../../../src/shared/ipc/wire.js';
import { createAnnotationsStore } from '../../../../src/renderer/src/features/annotations/store.js';

const DOCUMENT = randomUUID();
const AUTHOR = randomUUID();

class FakeAnnotationsApi {
  readonly rows = new Map<string, Annotation>();
  readonly calls: string[] = [];
  /** makes the next call fail with this error */
  failNext: RemoteError | undefined;

  private check(name: string) {
    this.calls.push(name);
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
  }

  async listAnnotations({ documentId }: { documentId: string }) {
    this.check('list');
    return [...this.rows.values()].filter((row) => row.documentId === documentId);
  }

  async createAnnotation(input: {
    documentId: string;
    pageNumber: number;
    type: Annotation['type'];
    content: AnnotationContent;
  }) {
    this.check('create');
    const now = new Date().toISOString();
    const row = {
      id: randomUUID(),
      documentId: input.documentId,
      pageNumber: input.pageNumber,
      type: input.type,
      content: input.content,
      version: 1,
      createdBy: AUTHOR,
      createdByName: 'Dr Ada Byron',
      createdAt: now,
      updatedAt: now,
    } as Annotation;
    this.rows.set(row.id, row);
    return row;
  }

  async updateAnnotation(input: { id: string; version: number; content?: AnnotationContent }) {
    this.check('update');
    const row = this.current(input.id, input.version);
    const updated = {
      ...row,
      content: input.content ?? row.content,
      version: row.version + 1,
      updatedAt: new Date().toISOString(),
    } as Annotation;
    this.rows.set(row.id, updated);
    return updated;
  }

  async deleteAnnotation(input: { id: string; version: number }) {
    this.check('delete');
    this.current(input.id, input.version);
    this.rows.delete(input.id);
  }

  async exportAnnotatedPdf({ documentId }: { documentId: string }) {
    this.check('export');
    return {
      path: `/home/ada/Downloads/${documentId}.pdf`,
      fileName: `${documentId}.pdf`,
      annotations: 0,
      omitted: 0,
    };
  }

  /** What another user's edit does: the version moves on under our feet. */
  editElsewhere(id: string) {
    const row = this.rows.get(id);
    if (row) this.rows.set(id, { ...row, version: row.version + 1 });
  }

  private current(id: string, version: number): Annotation {
    const row = this.rows.get(id);
    if (!row) throw new RemoteError('The annotation does not exist.', 'not_found');
    if (row.version !== version)
      throw new RemoteError('The annotation was changed by someone else.', 'conflict');
    return row;
  }
}

let api: FakeAnnotationsApi;
let store: ReturnType<typeof createAnnotationsStore>;

beforeEach(async () => {
  api = new FakeAnnotationsApi();
  (window as unknown as { api: FakeAnnotationsApi }).api = api;
  store = createAnnotationsStore();
  await store.getState().load(DOCUMENT);
});

const marker = { x: 0.5, y: 0.5, label: 'fracture', color: '#ff0000' };

describe('annotations store', () => {
  it('creates an annotation, selects it, and finds it again after a reload', async () => {
    const created = await store.getState().create(2, 'marker', marker);
    expect(created).toMatchObject({ pageNumber: 2, type: 'marker', content: marker });
    expect(store.getState().selectedId).toBe(created?.id);

    const other = createAnnotationsStore();
    await other.getState().load(DOCUMENT);
    expect(other.getState().items).toHaveLength(1);
    expect(other.getState().items[0]).toMatchObject({
      content: marker,
      createdByName: 'Dr Ada Byron',
    });
  });

  it('moves an annotation and keeps it on the page', async () => {
    const created = await store.getState().create(1, 'marker', marker);
    await store.getState().move(created!.id, 0.2, -0.1);
    expect(store.getState().items[0]?.content).toMatchObject({ x: 0.7, y: 0.4 });
    await store.getState().move(created!.id, 5, 5);
    expect(api.rows.get(created!.id)?.content).toMatchObject({ x: 1, y: 1 });
  });

  it('moves a highlight and a stroke whole, without squashing them against the edge', async () => {
    const box = await store.getState().create(1, 'highlight', {
      x: 0.6,
      y: 0.1,
      width: 0.3,
      height: 0.2,
      color: '#ffeb3b',
    });
    await store.getState().move(box!.id, 0.5, 0);
    expect(api.rows.get(box!.id)?.content).toMatchObject({ x: 0.7, width: 0.3 });

    const stroke = await store.getState().create(1, 'freehand', {
      points: [
        [0.1, 0.1],
        [0.2, 0.3],
      ],
      width: 0.004,
      color: '#000000',
    });
    await store.getState().move(stroke!.id, -0.5, 0.1);
    expect(api.rows.get(stroke!.id)?.content).toMatchObject({
      points: [
        [0, expect.closeTo(0.2, 9)],
        [expect.closeTo(0.1, 9), expect.closeTo(0.4, 9)],
      ],
    });
  });

  it('saves quick successive edits in order, each with the version the last one returned', async () => {
    const created = await store.getState().create(1, 'text', {
      x: 0.5,
      y: 0.5,
      text: 'a',
      color: '#ff0000',
    });
    const edits = ['ab', 'abc', 'abcd'].map((text) =>
      store.getState().update(created!.id, { x: 0.5, y: 0.5, text, color: '#ff0000' }),
    );
    await Promise.all(edits);
    expect(store.getState().conflict).toBeNull();
    expect(api.rows.get(created!.id)).toMatchObject({ version: 4, content: { text: 'abcd' } });
  });

  it('edits the label and colour', async () => {
    const created = await store.getState().create(1, 'marker', marker);
    await store
      .getState()
      .update(created!.id, { ...marker, label: 'hairline crack', color: '#00ff00' });
    expect(store.getState().items[0]).toMatchObject({
      version: 2,
      content: { label: 'hairline crack', color: '#00ff00' },
    });
  });

  it('deletes an annotation', async () => {
    const created = await store.getState().create(1, 'marker', marker);
    await store.getState().remove(created!.id);
    expect(store.getState().items).toEqual([]);
    expect(store.getState().selectedId).toBeNull();
    expect(api.rows.size).toBe(0);
  });

  it('puts back a stale edit and offers a reload that shows the current version', async () => {
    const created = await store.getState().create(1, 'marker', marker);
    api.editElsewhere(created!.id);

    await store.getState().move(created!.id, 0.1, 0.1);
    expect(store.getState().items[0]?.content).toMatchObject({ x: 0.5, y: 0.5 });
    expect(store.getState().conflict).toMatch(/Someone else changed or deleted this annotation/);

    await store.getState().reload();
    expect(store.getState().conflict).toBeNull();
    expect(store.getState().items[0]?.version).toBe(2);
    await store.getState().move(created!.id, 0.1, 0.1);
    expect(api.rows.get(created!.id)).toMatchObject({ version: 3, content: { x: 0.6 } });
  });

  it('keeps an annotation whose deletion was stale, and says why', async () => {
    const created = await store.getState().create(1, 'marker', marker);
    api.editElsewhere(created!.id);
    await store.getState().remove(created!.id);
    expect(store.getState().items.map((item) => item.id)).toEqual([created!.id]);
    expect(store.getState().conflict).not.toBeNull();
  });

  it('says what failed when the API cannot be reached', async () => {
    api.failNext = new RemoteError('The companion API is not reachable.', 'offline');
    expect(await store.getState().create(1, 'marker', marker)).toBeNull();
    expect(store.getState().error).toBe(
      'The annotation could not be saved: The companion API is not reachable.',
    );
    api.failNext = new RemoteError('The companion API is not reachable.', 'offline');
    await store.getState().load(DOCUMENT);
    expect(store.getState()).toMatchObject({ status: 'failed' });
    expect(store.getState().error).toMatch(
      /could not be loaded: The companion API is not reachable/,
    );
  });

  it('exports the PDF with annotations and reports where it went', async () => {
    await store.getState().exportPdf();
    expect(store.getState().exported).toEqual({
      path: `/home/ada/Downloads/${DOCUMENT}.pdf`,
      fileName: `${DOCUMENT}.pdf`,
      annotations: 0,
      omitted: 0,
    });
  });
});
