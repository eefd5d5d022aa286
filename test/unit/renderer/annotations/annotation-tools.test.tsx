// @vitest-environment jsdom
// The annotation tools as a user drives them: pick a tool by its name, click or drag on the page,
// type a label, and the annotation is saved in page coordinates, shown with its author and time,
// moved by keyboard, deleted, and a stale edit offers a reload. window.api is a fake that keeps
// versions like the API; jsdom has no layout, so the page's on-screen box is given to it.
import { randomUUID } from 'node:crypto';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Annotation, AnnotationContent } from '../../../../src/shared/api/annotations.js';
import { RemoteError } from '../../../../src/shared/ipc/wire.js';
import { AnnotationLayer } from '../../../../src/renderer/src/features/annotations/AnnotationLayer.js';
import {
  AnnotationPanel,
  AnnotationToolbar,
} from '../../../../src/renderer/src/features/annotations/AnnotationPanel.js';
import type { Rotation } from '../../../../src/renderer/src/features/annotations/geometry.js';
import { useAnnotations } from '../../../../src/renderer/src/features/annotations/store.js';

const DOCUMENT = randomUUID();
const BOX = { left: 100, top: 50, width: 400, height: 300 };

function fakeApi() {
  const rows = new Map<string, Annotation>();
  let conflictNext = false;
  const api = {
    rows,
    conflictNext: () => (conflictNext = true),
    listAnnotations: vi.fn(async () => [...rows.values()]),
    createAnnotation: vi.fn(
      async (input: {
        documentId: string;
        pageNumber: number;
        type: Annotation['type'];
        content: AnnotationContent;
      }) => {
        const row = {
          ...input,
          id: randomUUID(),
          version: 1,
          createdBy: randomUUID(),
          createdByName: 'Dr Grace Hopper',
          createdAt: '2026-11-28T09:30:00.000Z',
          updatedAt: '2026-11-28T09:30:00.000Z',
        } as Annotation;
        rows.set(row.id, row);
        return row;
      },
    ),
    updateAnnotation: vi.fn(
      async (input: { id: string; version: number; content?: AnnotationContent }) => {
        const row = rows.get(input.id);
        if (!row || conflictNext || row.version !== input.version) {
          conflictNext = false;
          throw new RemoteError('The annotation was changed by someone else.', 'conflict');
        }
        const updated = { ...row, content: input.content, version: row.version + 1 } as Annotation;
        rows.set(row.id, updated);
        return updated;
      },
    ),
    deleteAnnotation: vi.fn(async ({ id }: { id: string }) => {
      rows.delete(id);
    }),
    exportAnnotatedPdf: vi.fn(async () => ({
      path: '/home/grace/report.pdf',
      fileName: 'report.pdf',
      annotations: 3,
      omitted: 1,
    })),
  };
  (window as unknown as { api: typeof api }).api = api;
  return api;
}

let api: ReturnType<typeof fakeApi>;
const initial = useAnnotations.getState();

beforeEach(async () => {
  useAnnotations.setState(initial, true);
  api = fakeApi();
  await useAnnotations.getState().load(DOCUMENT);
});
afterEach(cleanup);

function renderTools(rotation: Rotation = 0) {
  const width = rotation % 180 === 0 ? BOX.width : BOX.height;
  const height = rotation % 180 === 0 ? BOX.height : BOX.width;
  render(
    <>
      <AnnotationToolbar canExport />
      <div style={{ position: 'relative' }}>
        <AnnotationLayer pageNumber={2} rotation={rotation} width={width} height={height} />
      </div>
      <AnnotationPanel />
    </>,
  );
  const overlay = screen.getByRole('img', { name: /Annotations on page 2/ });
  vi.spyOn(overlay, 'getBoundingClientRect').mockReturnValue({
    ...BOX,
    width,
    height,
    right: BOX.left + width,
    bottom: BOX.top + height,
    x: BOX.left,
    y: BOX.top,
    toJSON: () => ({}),
  });
  return overlay;
}

/** An annotation someone saved earlier, loaded with the page (so nothing is selected). */
async function seed(content: AnnotationContent, type: Annotation['type'] = 'marker') {
  await api.createAnnotation({ documentId: DOCUMENT, pageNumber: 2, type, content });
  await act(() => useAnnotations.getState().reload());
}

/** A click or drag on the overlay at fractions (u, v) of its on-screen box. */
function at(overlay: Element, u: number, v: number) {
  const box = overlay.getBoundingClientRect();
  return { clientX: box.left + u * box.width, clientY: box.top + v * box.height, button: 0 };
}

describe('annotation tools', () => {
  it('names every tool and shows which one is active', () => {
    renderTools();
    const toolbar = screen.getByRole('toolbar', { name: 'Annotation tools' });
    for (const name of ['Select', 'Marker', 'Draw', 'Text', 'Highlight'])
      expect(within(toolbar).getByRole('button', { name })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Marker' }));
    expect(screen.getByRole('button', { name: 'Marker' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    expect(screen.getByRole('button', { name: 'Select' }).getAttribute('aria-pressed')).toBe(
      'false',
    );
  });

  it('places a labelled marker where the user clicked, with its author and time', async () => {
    const overlay = renderTools();
    fireEvent.click(screen.getByRole('button', { name: 'Marker' }));
    fireEvent.pointerDown(overlay, at(overlay, 0.25, 0.5));
    const label = await screen.findByRole('textbox', { name: 'Marker label' });
    fireEvent.change(label, { target: { value: 'fracture' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));

    await waitFor(() =>
      expect(overlay.getAttribute('aria-label')).toBe('Annotations on page 2: 1 annotation'),
    );
    expect(api.createAnnotation).toHaveBeenCalledWith({
      documentId: DOCUMENT,
      pageNumber: 2,
      type: 'marker',
      content: { x: 0.25, y: 0.5, label: 'fracture', color: '#e53935' },
    });
    const title = overlay.querySelector('title')?.textContent ?? '';
    expect(title).toContain('Marker “fracture”');
    expect(title).toContain('by Dr Grace Hopper');
    expect(title).toContain(new Date('2026-11-28T09:30:00.000Z').toLocaleString());
    expect(screen.getByRole('button', { name: /Page 2: Marker “fracture”/ })).toBeTruthy();
  });

  it('stores a click on a page turned 90° in the page’s own coordinates', async () => {
    const overlay = renderTools(90);
    fireEvent.click(screen.getByRole('button', { name: 'Text' }));
    // Top-right of the turned page is the page's own top-left.
    fireEvent.pointerDown(overlay, at(overlay, 1, 0));
    fireEvent.change(await screen.findByRole('textbox', { name: 'Note text' }), {
      target: { value: 'see above' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.createAnnotation).toHaveBeenCalled());
    expect(api.createAnnotation.mock.calls[0]?.[0]).toMatchObject({
      type: 'text',
      content: { x: 0, y: 0, text: 'see above' },
    });
  });

  it('keeps every raw point of a freehand stroke and draws it smoothed', async () => {
    const overlay = renderTools();
    fireEvent.click(screen.getByRole('button', { name: 'Draw' }));
    fireEvent.pointerDown(overlay, at(overlay, 0.1, 0.1));
    fireEvent.pointerMove(overlay, at(overlay, 0.2, 0.15));
    fireEvent.pointerMove(overlay, at(overlay, 0.3, 0.1));
    fireEvent.pointerMove(overlay, at(overlay, 0.4, 0.2));
    fireEvent.pointerUp(overlay, at(overlay, 0.4, 0.2));
    await waitFor(() => expect(api.createAnnotation).toHaveBeenCalled());
    const sent = api.createAnnotation.mock.calls[0]?.[0];
    expect(sent?.type).toBe('freehand');
    const points = (sent?.content as { points: [number, number][] }).points;
    expect(points).toHaveLength(4);
    points.forEach((point, i) =>
      expect(point.map((n) => Number(n.toFixed(6)))).toEqual(
        [
          [0.1, 0.1],
          [0.2, 0.15],
          [0.3, 0.1],
          [0.4, 0.2],
        ][i],
      ),
    );
    await waitFor(() => expect(overlay.querySelector('.annotation-freehand path')).not.toBeNull());
    expect(overlay.querySelector('.annotation-freehand path')?.getAttribute('d')).toMatch(/Q/);
  });

  it('highlights the rectangle the user dragged, whichever way', async () => {
    const overlay = renderTools();
    fireEvent.click(screen.getByRole('button', { name: 'Highlight' }));
    fireEvent.pointerDown(overlay, at(overlay, 0.75, 0.5));
    fireEvent.pointerMove(overlay, at(overlay, 0.25, 0.25));
    fireEvent.pointerUp(overlay, at(overlay, 0.25, 0.25));
    await waitFor(() => expect(api.createAnnotation).toHaveBeenCalled());
    expect(api.createAnnotation.mock.calls[0]?.[0].content).toEqual({
      x: 0.25,
      y: 0.25,
      width: 0.5,
      height: 0.25,
      color: '#e53935',
    });
  });

  it('moves the selected annotation with the arrow keys, changes its colour, and deletes it', async () => {
    const overlay = renderTools();
    await seed({ x: 0.5, y: 0.5, label: 'a', color: '#e53935' });
    fireEvent.click(screen.getByRole('button', { name: /Page 2: Marker “a”/ }));
    overlay.focus();
    fireEvent.keyDown(overlay, { key: 'ArrowRight' });
    await waitFor(() =>
      expect(api.updateAnnotation).toHaveBeenLastCalledWith({
        id: expect.any(String) as string,
        version: 1,
        content: { x: 0.51, y: 0.5, label: 'a', color: '#e53935' },
      }),
    );
    fireEvent.change(screen.getByLabelText('Annotation colour'), { target: { value: '#00ff00' } });
    await waitFor(() => expect([...api.rows.values()][0]?.content.color).toBe('#00ff00'));

    fireEvent.keyDown(overlay, { key: 'Delete' });
    await waitFor(() => expect(api.rows.size).toBe(0));
    expect(overlay.getAttribute('aria-label')).toBe('Annotations on page 2: none');
  });

  it('edits a note’s text from the panel', async () => {
    renderTools();
    await act(() =>
      useAnnotations
        .getState()
        .create(2, 'text', { x: 0.1, y: 0.1, text: 'old', color: '#e53935' }),
    );
    fireEvent.change(screen.getByRole('textbox', { name: 'Note text' }), {
      target: { value: 'new words' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() =>
      expect([...api.rows.values()][0]?.content).toMatchObject({ text: 'new words' }),
    );
    expect(screen.getByRole('button', { name: /Page 2: Note “new words”/ })).toBeTruthy();
  });

  it('says when an edit was stale and reloads on request', async () => {
    const overlay = renderTools();
    await seed({ x: 0.5, y: 0.5, label: 'a', color: '#e53935' });
    fireEvent.click(screen.getByRole('button', { name: /Page 2: Marker “a”/ }));
    api.conflictNext();
    fireEvent.keyDown(overlay, { key: 'ArrowDown' });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/Someone else changed or deleted this annotation/);
    const loads = api.listAnnotations.mock.calls.length;
    fireEvent.click(within(alert).getByRole('button', { name: 'Reload annotations' }));
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(api.listAnnotations).toHaveBeenCalledTimes(loads + 1);
  });

  it('exports the PDF with the annotations and says where it was saved and what was left out', async () => {
    renderTools();
    fireEvent.click(screen.getByRole('button', { name: 'Export PDF with annotations' }));
    const status = await screen.findByRole('status');
    expect(status.textContent).toBe(
      'Saved report.pdf to /home/grace/report.pdf (1 annotation(s) on pages the document does not have were left out)',
    );
    expect(api.exportAnnotatedPdf).toHaveBeenCalledWith({ documentId: DOCUMENT });
  });
});
