// The document viewer: asks main for a signed URL (the renderer never sees the token or storage
// credentials), shows the document with the view that fits its type — image, PDF, DICOM or
// video — with the annotation tools and panel beside it, and steps to the next or previous
// document of the list the user came from by keyboard.
import { useCallback, useEffect, useState } from 'react';
import { AnnotationPanel, AnnotationToolbar } from '../annotations/AnnotationPanel.js';
import { errorMessage, viewerApi, type OpenedDocument } from '../annotations/api.js';
import { useAnnotations } from '../annotations/store.js';
import { useNavigation } from '../shell/navigation.js';
import { DicomViewer } from './DicomViewer.js';
import { ImageViewer } from './ImageViewer.js';
import { loadedPdfViewer, loadPdfViewer, preloadPdfViewerWhenIdle } from './preload.js';
import { useViewer } from './store.js';
import { VideoViewer } from './VideoViewer.js';
import { ViewControls } from './ViewControls.js';
import './viewer.css';

// Load and warm the PDF viewer (pdf.js and its worker) the first time the window is idle, so
// the first PDF a user opens does not wait for pdf.js to load, compile and start up. Only code:
// no document is asked for (opening one is an audited view).
preloadPdfViewerWhenIdle();

export interface ViewerScreenProps {
  patientId: string;
  documentId: string;
  /** the documents next/previous steps through, in the order the user saw them */
  siblings: readonly string[];
}

export type ViewKind = 'image' | 'pdf' | 'dicom' | 'video' | 'unsupported';

/** Which view shows a document, by its content type (and the .dcm name DICOM often comes with). */
export function viewKind(contentType: string, fileName?: string | null): ViewKind {
  const type = contentType.toLowerCase().split(';')[0]?.trim() ?? '';
  if (type === 'application/pdf') return 'pdf';
  if (type === 'application/dicom' || /\.dcm$/i.test(fileName ?? '')) return 'dicom';
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('video/')) return 'video';
  return 'unsupported';
}

type Opened =
  | { state: 'loading' }
  | { state: 'failed'; message: string }
  | { state: 'ready'; value: OpenedDocument };

export function ViewerScreen({ patientId, documentId, siblings }: ViewerScreenProps) {
  const [opened, setOpened] = useState<Opened>({ state: 'loading' });
  const position = siblings.indexOf(documentId);
  const previous = position > 0 ? siblings[position - 1] : undefined;
  const next = position >= 0 && position < siblings.length - 1 ? siblings[position + 1] : undefined;

  useEffect(() => {
    let current = true;
    setOpened({ state: 'loading' });
    useViewer.getState().reset();
    // The document first, its annotations beside it: the page waits for the first only.
    viewerApi()
      .openDocument({ id: documentId })
      .then(
        (value) => current && setOpened({ state: 'ready', value }),
        (error: unknown) =>
          current &&
          setOpened({
            state: 'failed',
            message: `The document could not be opened: ${errorMessage(error)}`,
          }),
      );
    void useAnnotations.getState().load(documentId);
    return () => {
      current = false;
    };
  }, [documentId]);

  /** A fresh signed URL for the open document, when the one in use has expired. */
  const refreshUrl = useCallback(async (): Promise<string | undefined> => {
    try {
      const value = await viewerApi().openDocument({ id: documentId });
      setOpened((before) => (before.state === 'ready' ? { state: 'ready', value } : before));
      return value.url;
    } catch {
      return undefined;
    }
  }, [documentId]);

  // Stepping replaces the viewer route, so Back still returns to the list in one step.
  const open = (id: string | undefined) => {
    if (!id) return;
    const navigation = useNavigation.getState();
    navigation.back();
    navigation.go({ screen: 'viewer', patientId, documentId: id, siblings });
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isTyping(event.target)) return;
      const view = useViewer.getState();
      const stepKey = event.altKey && !event.ctrlKey && !event.metaKey;
      if ((stepKey && event.key === 'ArrowRight') || (event.key === ']' && !event.altKey)) {
        event.preventDefault();
        open(next);
      } else if ((stepKey && event.key === 'ArrowLeft') || (event.key === '[' && !event.altKey)) {
        event.preventDefault();
        open(previous);
      } else if (event.ctrlKey || event.metaKey || event.altKey) {
        return;
      } else if (event.key === '+' || event.key === '=') view.zoomIn();
      else if (event.key === '-') view.zoomOut();
      else if (event.key === '0') view.fit();
      else if (event.key === 'r') view.rotate(true);
      else if (event.key === 'R') view.rotate(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const title = opened.state === 'ready' ? opened.value.document.title : 'Document';
  const kind =
    opened.state === 'ready'
      ? viewKind(opened.value.document.contentType, opened.value.document.fileName)
      : undefined;
  const annotatable = kind === 'image' || kind === 'pdf' || kind === 'dicom';

  return (
    <section className="viewer" aria-labelledby="viewer-title">
      <header className="viewer-header">
        <button type="button" onClick={() => useNavigation.getState().back()}>
          Back
        </button>
        <h2 id="viewer-title">{title}</h2>
        {siblings.length > 1 && position >= 0 && (
          <div role="group" aria-label="Documents" className="viewer-steps">
            <button
              type="button"
              onClick={() => open(previous)}
              disabled={!previous}
              aria-keyshortcuts="Alt+ArrowLeft ["
            >
              Previous document
            </button>
            <span>
              {position + 1} of {siblings.length}
            </span>
            <button
              type="button"
              onClick={() => open(next)}
              disabled={!next}
              aria-keyshortcuts="Alt+ArrowRight ]"
            >
              Next document
            </button>
          </div>
        )}
      </header>
      {opened.state === 'loading' && <p className="muted">Opening the document…</p>}
      {opened.state === 'failed' && (
        <p role="alert" className="notice notice-error">
          {opened.message}
        </p>
      )}
      {opened.state === 'ready' && (
        <>
          <div className="viewer-toolbar">
            {kind !== 'video' && kind !== 'unsupported' && <ViewControls />}
            {annotatable && <AnnotationToolbar canExport={kind === 'pdf' || kind === 'image'} />}
          </div>
          <div className="viewer-body">
            <div className="viewer-content">
              <DocumentView
                value={opened.value}
                kind={kind ?? 'unsupported'}
                refreshUrl={refreshUrl}
              />
            </div>
            {annotatable && <AnnotationPanel />}
          </div>
        </>
      )}
    </section>
  );
}

function DocumentView({
  value,
  kind,
  refreshUrl,
}: {
  value: OpenedDocument;
  kind: ViewKind;
  refreshUrl: () => Promise<string | undefined>;
}) {
  const { url, document } = value;
  switch (kind) {
    case 'image':
      return <ImageViewer url={url} title={document.title} refreshUrl={refreshUrl} />;
    case 'pdf':
      return <LazyPdfViewer key={url} url={url} title={document.title} />;
    case 'dicom':
      return <DicomViewer key={url} url={url} title={document.title} />;
    case 'video':
      return <VideoViewer url={url} title={document.title} refreshUrl={refreshUrl} />;
    case 'unsupported':
      return (
        <p role="alert" className="notice notice-warning">
          “{document.title}” is a {document.contentType} file, which the viewer cannot show.
        </p>
      );
  }
}

/**
 * The PDF viewer, whose code (pdf.js) is its own chunk: at once when it has been loaded (as it
 * usually has, at idle: see preload.ts), else after loading it. Not React.lazy: a lazy component
 * suspends on its first render even when its chunk is in, and React then holds the page back
 * for its fallback throttle (300 ms) before showing it.
 */
function LazyPdfViewer({ url, title }: { url: string; title: string }) {
  const [module, setModule] = useState(loadedPdfViewer);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    if (module) return;
    let current = true;
    loadPdfViewer().then(
      (loaded) => current && setModule(loaded),
      (error: unknown) =>
        current && setFailed(`The PDF viewer could not be loaded: ${errorMessage(error)}`),
    );
    return () => {
      current = false;
    };
  }, [module]);
  if (failed)
    return (
      <p role="alert" className="notice notice-error">
        {failed}
      </p>
    );
  if (!module) return <p className="muted">Loading the PDF viewer…</p>;
  const PdfViewer = module.default;
  return <PdfViewer url={url} title={title} />;
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['button', 'checkbox', 'radio', 'range', 'color'].includes(type);
}
