// The annotations of the open document: loading them, the active tool and colour, the selection,
// and every change saved through window.api. Edits of one annotation are sent one after another,
// each with the version the last answer gave, so quick moves never race themselves into a false
// conflict. A real conflict (someone else changed or deleted it: code 'conflict') puts the
// annotation back as it was and offers a reload.
import { create } from 'zustand';
import type {
  Annotation,
  AnnotationContent,
  AnnotationCreate,
  AnnotationKind,
} from '../../../../shared/api/annotations.js';
import type { AnnotationExport } from '../../../../shared/ipc/records.js';
import { errorCode, errorMessage, viewerApi, type ViewerApi } from './api.js';
import { clamp01 } from './geometry.js';

export type Tool = 'select' | AnnotationKind;

/** The content an annotation of type K carries. */
export type ContentOf<K extends AnnotationKind> = Extract<AnnotationCreate, { type: K }>['content'];

export const DEFAULT_COLOR = '#e53935';
export const DEFAULT_STROKE_WIDTH = 0.004;

/** A marker or note placed but not yet saved: it waits for its label or text. */
export interface Draft {
  pageNumber: number;
  type: 'marker' | 'text';
  x: number;
  y: number;
}

export interface AnnotationsState {
  documentId: string | null;
  status: 'idle' | 'loading' | 'ready' | 'failed';
  items: Annotation[];
  tool: Tool;
  color: string;
  selectedId: string | null;
  /** a failure to show (load, save or delete), in words a user can act on */
  error: string | null;
  /** set when an edit was stale: the UI offers to reload */
  conflict: string | null;
  /** the last export's result, for a status line */
  exported: AnnotationExport | null;
  draft: Draft | null;

  load(documentId: string): Promise<void>;
  reload(): Promise<void>;
  create<K extends AnnotationKind>(
    pageNumber: number,
    type: K,
    content: ContentOf<K>,
  ): Promise<Annotation | null>;
  /** Replaces an annotation's content (label, text, colour, geometry). */
  update(id: string, content: AnnotationContent): Promise<void>;
  /** Moves an annotation by (dx, dy) document fractions, keeping it on its page. */
  move(id: string, dx: number, dy: number): Promise<void>;
  remove(id: string): Promise<void>;
  startDraft(draft: Draft): void;
  cancelDraft(): void;
  /** Saves the draft with its label (marker) or text (note). */
  saveDraft(text: string): Promise<Annotation | null>;
  select(id: string | null): void;
  setTool(tool: Tool): void;
  setColor(color: string): void;
  exportPdf(): Promise<void>;
  dismissError(): void;
}

/** A store over `api` (window.api in the app; tests pass a fake through window.api). */
export function createAnnotationsStore(api: () => ViewerApi = viewerApi) {
  /** the tail of each annotation's chain of pending saves */
  const pending = new Map<string, Promise<void>>();
  let loadToken = 0;

  return create<AnnotationsState>((set, get) => {
    const replace = (annotation: Annotation) =>
      set((state) => ({
        items: state.items.map((item) => (item.id === annotation.id ? annotation : item)),
      }));

    /** Runs `task` after the annotation's earlier saves, with its latest known state. */
    const enqueue = (id: string, task: (current: Annotation) => Promise<void>): Promise<void> => {
      const previous = pending.get(id) ?? Promise.resolve();
      const next = previous.then(async () => {
        const current = get().items.find((item) => item.id === id);
        if (current) await task(current);
      });
      pending.set(id, next);
      return next.finally(() => {
        if (pending.get(id) === next) pending.delete(id);
      });
    };

    const failed = (action: string, error: unknown, restore?: Annotation) => {
      if (restore) replace(restore);
      const code = errorCode(error);
      if (code === 'conflict' || code === 'not_found') {
        set({
          conflict:
            'Someone else changed or deleted this annotation after it was loaded, so your change was not saved. Reload the annotations to see the current ones.',
        });
        return;
      }
      set({ error: `The annotation could not be ${action}: ${errorMessage(error)}` });
    };

    return {
      documentId: null,
      status: 'idle',
      items: [],
      tool: 'select',
      color: DEFAULT_COLOR,
      selectedId: null,
      error: null,
      conflict: null,
      exported: null,
      draft: null,

      async load(documentId) {
        const token = ++loadToken;
        set({
          documentId,
          status: 'loading',
          items: [],
          selectedId: null,
          error: null,
          conflict: null,
          exported: null,
          draft: null,
        });
        try {
          const items = await api().listAnnotations({ documentId });
          if (token !== loadToken) return;
          set({ status: 'ready', items });
        } catch (error) {
          if (token !== loadToken) return;
          set({
            status: 'failed',
            error: `The annotations could not be loaded: ${errorMessage(error)}`,
          });
        }
      },

      async reload() {
        const { documentId } = get();
        if (documentId) await get().load(documentId);
      },

      async create(pageNumber, type, content) {
        const { documentId } = get();
        if (!documentId) return null;
        try {
          // TypeScript cannot tie `content` to `type` through the generic; ContentOf<K> does.
          const input = { documentId, pageNumber, type, content } as AnnotationCreate & {
            documentId: string;
          };
          const created = await api().createAnnotation(input);
          if (get().documentId !== documentId) return null;
          set((state) => ({ items: [...state.items, created], selectedId: created.id }));
          return created;
        } catch (error) {
          failed('saved', error);
          return null;
        }
      },

      update(id, content) {
        return enqueue(id, async (current) => {
          const optimistic = { ...current, content } as Annotation;
          replace(optimistic);
          try {
            replace(await api().updateAnnotation({ id, version: current.version, content }));
          } catch (error) {
            failed('saved', error, current);
          }
        });
      },

      move(id, dx, dy) {
        const current = get().items.find((item) => item.id === id);
        if (!current) return Promise.resolve();
        return get().update(id, translate(current, dx, dy));
      },

      remove(id) {
        return enqueue(id, async (current) => {
          set((state) => ({
            items: state.items.filter((item) => item.id !== id),
            selectedId: state.selectedId === id ? null : state.selectedId,
          }));
          try {
            await api().deleteAnnotation({ id, version: current.version });
          } catch (error) {
            set((state) => ({ items: [...state.items, current] }));
            failed('deleted', error);
          }
        });
      },

      startDraft: (draft) => set({ draft, selectedId: null }),
      cancelDraft: () => set({ draft: null }),

      async saveDraft(text) {
        const { draft, color } = get();
        if (!draft) return null;
        const { pageNumber, type, x, y } = draft;
        const created =
          type === 'marker'
            ? await get().create(pageNumber, 'marker', { x, y, label: text.trim(), color })
            : await get().create(pageNumber, 'text', { x, y, text: text.trim(), color });
        if (created) set({ draft: null });
        return created;
      },

      select: (selectedId) => set({ selectedId }),
      setTool: (tool) => set({ tool, selectedId: tool === 'select' ? get().selectedId : null }),
      setColor: (color) => set({ color }),

      async exportPdf() {
        const { documentId } = get();
        if (!documentId) return;
        set({ exported: null, error: null });
        try {
          set({ exported: await api().exportAnnotatedPdf({ documentId }) });
        } catch (error) {
          set({
            error: `The PDF with annotations could not be exported: ${errorMessage(error)}`,
          });
        }
      },

      dismissError: () => set({ error: null, conflict: null }),
    };
  });
}

/** The annotation's content moved by (dx, dy), clamped so every part stays on the page. */
export function translate(annotation: Annotation, dx: number, dy: number): AnnotationContent {
  switch (annotation.type) {
    case 'marker':
    case 'text': {
      const { content } = annotation;
      return { ...content, x: clamp01(content.x + dx), y: clamp01(content.y + dy) };
    }
    case 'highlight': {
      const { content } = annotation;
      return {
        ...content,
        x: Math.min(1 - content.width, Math.max(0, content.x + dx)),
        y: Math.min(1 - content.height, Math.max(0, content.y + dy)),
      };
    }
    case 'freehand': {
      const { content } = annotation;
      const xs = content.points.map(([x]) => x);
      const ys = content.points.map(([, y]) => y);
      // Limit the move so the whole stroke stays on the page, keeping its shape.
      const mx = Math.min(Math.max(dx, -Math.min(...xs)), 1 - Math.max(...xs));
      const my = Math.min(Math.max(dy, -Math.min(...ys)), 1 - Math.max(...ys));
      return {
        ...content,
        points: content.points.map(([x, y]) => [x + mx, y + my] as [number, number]),
      };
    }
  }
}

/** The app's one annotations store; the viewer loads it for the document it opens. */
export const useAnnotations = createAnnotationsStore();
