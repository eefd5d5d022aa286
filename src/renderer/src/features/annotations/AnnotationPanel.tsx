// The annotation tools (toolbar) and the side panel: the list of the document's annotations with
// author and time, the editor of the selected one (label or text, colour, delete), the form that
// saves a new marker or note, and the messages for failures and stale edits. Everything here is
// reachable by keyboard, so annotations can be reviewed and edited without a pointer.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Annotation } from '../../../../shared/api/annotations.js';
import { authorLine, describeAnnotation } from './AnnotationLayer.js';
import { useAnnotations, type Tool } from './store.js';

const TOOLS: { tool: Tool; name: string; hint: string }[] = [
  { tool: 'select', name: 'Select', hint: 'Select, move and edit annotations' },
  { tool: 'marker', name: 'Marker', hint: 'Place a marker with a label' },
  { tool: 'freehand', name: 'Draw', hint: 'Draw freehand' },
  { tool: 'text', name: 'Text', hint: 'Add a text note' },
  { tool: 'highlight', name: 'Highlight', hint: 'Highlight a rectangle' },
];

export function AnnotationToolbar({ canExport }: { canExport: boolean }) {
  const tool = useAnnotations((state) => state.tool);
  const color = useAnnotations((state) => state.color);
  const exported = useAnnotations((state) => state.exported);
  const [exporting, setExporting] = useState(false);
  const store = useAnnotations.getState();

  const exportPdf = () => {
    setExporting(true);
    void store.exportPdf().finally(() => setExporting(false));
  };

  return (
    <div role="toolbar" aria-label="Annotation tools" className="annotation-tools">
      {TOOLS.map((entry) => (
        <button
          key={entry.tool}
          type="button"
          aria-pressed={tool === entry.tool}
          title={entry.hint}
          onClick={() => store.setTool(entry.tool)}
        >
          {entry.name}
        </button>
      ))}
      <label>
        Colour{' '}
        <input
          type="color"
          value={color}
          onChange={(event) => store.setColor(event.target.value)}
        />
      </label>
      {canExport && (
        <button type="button" onClick={exportPdf} disabled={exporting}>
          {exporting ? 'Exporting…' : 'Export PDF with annotations'}
        </button>
      )}
      {exported && (
        <span role="status">
          Saved {exported.fileName} to {exported.path}
          {exported.omitted > 0 &&
            ` (${exported.omitted} annotation(s) on pages the document does not have were left out)`}
        </span>
      )}
    </div>
  );
}

export function AnnotationPanel() {
  const items = useAnnotations((state) => state.items);
  const status = useAnnotations((state) => state.status);
  const selectedId = useAnnotations((state) => state.selectedId);
  const error = useAnnotations((state) => state.error);
  const conflict = useAnnotations((state) => state.conflict);
  const draft = useAnnotations((state) => state.draft);
  const store = useAnnotations.getState();
  const selected = items.find((item) => item.id === selectedId);
  const sorted = [...items].sort(
    (a, b) => a.pageNumber - b.pageNumber || a.createdAt.localeCompare(b.createdAt),
  );

  return (
    <aside className="annotation-panel" aria-label="Annotations">
      <h3>Annotations</h3>
      {conflict && (
        <div role="alert" className="notice notice-warning">
          <p>{conflict}</p>
          <button type="button" onClick={() => void store.reload()}>
            Reload annotations
          </button>
        </div>
      )}
      {error && (
        <div role="alert" className="notice notice-error">
          <p>{error}</p>
          <button type="button" onClick={store.dismissError}>
            Dismiss
          </button>
        </div>
      )}
      {draft && <DraftForm key={`${draft.pageNumber}:${draft.x}:${draft.y}`} />}
      {selected && <SelectedEditor key={selected.id} annotation={selected} />}
      {status === 'loading' && <p className="muted">Loading annotations…</p>}
      {status === 'ready' && items.length === 0 && !draft && (
        <p className="muted">No annotations yet. Choose a tool above and click on the page.</p>
      )}
      {sorted.length > 0 && (
        <ul>
          {sorted.map((annotation) => (
            <li key={annotation.id}>
              <button
                type="button"
                aria-pressed={annotation.id === selectedId}
                onClick={() => store.select(annotation.id === selectedId ? null : annotation.id)}
              >
                <span
                  className="annotation-swatch"
                  style={{ background: annotation.content.color }}
                  aria-hidden="true"
                />
                Page {annotation.pageNumber}: {describeAnnotation(annotation)}
                <span className="annotation-meta">{authorLine(annotation)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}

function DraftForm() {
  const draft = useAnnotations((state) => state.draft);
  const [text, setText] = useState('');
  const [saving, setSaving] = useState(false);
  const input = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  useEffect(() => input.current?.focus(), []);
  if (!draft) return null;
  const marker = draft.type === 'marker';
  const store = useAnnotations.getState();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!marker && text.trim() === '') return;
    setSaving(true);
    void store.saveDraft(text).finally(() => setSaving(false));
  };

  return (
    <form
      className="annotation-editor"
      aria-label={marker ? 'New marker' : 'New note'}
      onSubmit={submit}
      onKeyDown={(event) => {
        if (event.key === 'Escape') store.cancelDraft();
      }}
    >
      <label>
        {marker ? 'Marker label' : 'Note text'}
        {marker ? (
          <input
            ref={input}
            value={text}
            maxLength={200}
            onChange={(e) => setText(e.target.value)}
          />
        ) : (
          <textarea
            ref={input}
            value={text}
            maxLength={5000}
            rows={3}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && !event.shiftKey) submit(event);
            }}
          />
        )}
      </label>
      <div>
        <button type="submit" disabled={saving || (!marker && text.trim() === '')}>
          {saving ? 'Saving…' : 'Save'}
        </button>{' '}
        <button type="button" onClick={store.cancelDraft}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function SelectedEditor({ annotation }: { annotation: Annotation }) {
  const store = useAnnotations.getState();
  const initial =
    annotation.type === 'marker'
      ? annotation.content.label
      : annotation.type === 'text'
        ? annotation.content.text
        : '';
  const [text, setText] = useState(initial);
  const hasText = annotation.type === 'marker' || annotation.type === 'text';

  const save = (event: FormEvent) => {
    event.preventDefault();
    if (annotation.type === 'marker')
      void store.update(annotation.id, { ...annotation.content, label: text.trim() });
    else if (annotation.type === 'text' && text.trim() !== '')
      void store.update(annotation.id, { ...annotation.content, text: text.trim() });
  };

  return (
    <form className="annotation-editor" aria-label="Selected annotation" onSubmit={save}>
      <p>
        {describeAnnotation(annotation)} on page {annotation.pageNumber}
        <span className="annotation-meta">{authorLine(annotation)}</span>
      </p>
      {hasText && (
        <label>
          {annotation.type === 'marker' ? 'Marker label' : 'Note text'}
          <input value={text} onChange={(event) => setText(event.target.value)} />
        </label>
      )}
      <label>
        Annotation colour{' '}
        <input
          type="color"
          value={annotation.content.color}
          onChange={(event) =>
            void store.update(annotation.id, {
              ...annotation.content,
              color: event.target.value,
            })
          }
        />
      </label>
      <p className="muted">Arrow keys on the page move it; Delete removes it.</p>
      <div>
        {hasText && <button type="submit">Save changes</button>}{' '}
        <button type="button" onClick={() => void store.remove(annotation.id)}>
          Delete annotation
        </button>
      </div>
    </form>
  );
}
