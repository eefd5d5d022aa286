// A PDF from its signed URL with pdf.js: pages render only when they come near the screen (a
// 100-page report opens at the speed of its first page), a thumbnail strip to jump between pages,
// zoom and rotation, find in the text layer with highlighted matches, and each page's annotation
// overlay. Loaded lazily by the viewer screen, so pdf.js is fetched only when a PDF is opened.
import {
  memo,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type FormEvent,
} from 'react';
import {
  findMatches,
  indexPageText,
  matchRanges,
  type ItemRange,
  type PageTextIndex,
  type TextItemLike,
} from '../../lib/pdf-find.js';
import { openPdf, TextLayer, type PDFDocumentProxy, type PDFPageProxy } from '../../lib/pdf.js';
import { AnnotationLayer } from '../annotations/AnnotationLayer.js';
import type { Rotation } from '../annotations/geometry.js';
import { useAnnotations } from '../annotations/store.js';
import { effectiveZoom, useViewer, zoomByWheel } from './store.js';

interface PageSize {
  /** at scale 1, in the page's own orientation (its /Rotate applied) */
  width: number;
  height: number;
}

type Loaded =
  | { state: 'loading' }
  | { state: 'failed'; message: string }
  | { state: 'ready'; pdf: PDFDocumentProxy; firstSize: PageSize };

export default function PdfViewer({ url, title }: { url: string; title: string }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });

  useEffect(() => {
    const task = openPdf(url);
    let current = true;
    task.promise
      .then(async (pdf) => {
        const first = await pdf.getPage(1);
        const viewport = first.getViewport({ scale: 1 });
        if (current)
          setLoaded({
            state: 'ready',
            pdf,
            firstSize: { width: viewport.width, height: viewport.height },
          });
      })
      .catch((error: unknown) => {
        if (!current) return;
        const reason = error instanceof Error ? error.message : String(error);
        setLoaded({
          state: 'failed',
          message: /password/i.test(reason)
            ? `The PDF “${title}” is password-protected, which the viewer cannot open.`
            : `The PDF “${title}” could not be opened: ${reason}. If its link has expired, go back and open it again.`,
        });
      });
    return () => {
      current = false;
      void task.destroy();
    };
  }, [url, title]);

  if (loaded.state === 'loading') return <p className="muted">Loading the PDF…</p>;
  if (loaded.state === 'failed')
    return (
      <p role="alert" className="notice notice-error">
        {loaded.message}
      </p>
    );
  return <PdfDocument pdf={loaded.pdf} firstSize={loaded.firstSize} />;
}

interface FindState {
  query: string;
  /** matches over the whole document, in reading order */
  matches: { page: number; range: [number, number] }[];
  current: number;
  searching: boolean;
  noText: boolean;
}

const EMPTY_FIND: FindState = {
  query: '',
  matches: [],
  current: 0,
  searching: false,
  noText: false,
};

function PdfDocument({ pdf, firstSize }: { pdf: PDFDocumentProxy; firstSize: PageSize }) {
  const scroller = useRef<HTMLDivElement>(null);
  const zoomSetting = useViewer((state) => state.zoom);
  const fittedZoom = useViewer((state) => state.fittedZoom);
  const rotation = useViewer((state) => state.rotation);
  const zoom = effectiveZoom({ zoom: zoomSetting, fittedZoom });
  const [sizes, setSizes] = useState<Record<number, PageSize>>({ 1: firstSize });
  const [visible, setVisible] = useState<ReadonlySet<number>>(new Set([1]));
  const [currentPage, setCurrentPage] = useState(1);
  const texts = useRef(new Map<number, PageTextIndex>());
  const [find, setFind] = useState<FindState>(EMPTY_FIND);
  // Page 1 comes first: no page draws before the fitted zoom is known (so page 1 is not drawn
  // at 100% and then again), and the other pages, the thumbnails and the worker's time for them
  // wait until page 1 is on screen (or out of view).
  const [measured, setMeasured] = useState(false);
  const [firstDrawn, setFirstDrawn] = useState(false);
  const firstPending = visible.has(1) && !firstDrawn;
  const onDrawn = useCallback((page: number) => {
    if (page === 1) setFirstDrawn(true);
  }, []);
  const pageNumbers = useMemo(
    () => Array.from({ length: pdf.numPages }, (_, i) => i + 1),
    [pdf.numPages],
  );

  // 'fit' fits the page width to the window; measured before the first paint.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const measure = () => {
      const quarter = rotation === 90 || rotation === 270;
      const width = quarter ? firstSize.height : firstSize.width;
      const available = element.clientWidth - 32;
      if (available > 0) useViewer.getState().setFittedZoom(Math.min(available / width, 4));
    };
    measure();
    setMeasured(true);
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [firstSize, rotation]);

  // Ctrl+wheel zooms the pages, not the whole window (a native, non-passive listener).
  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const listener = (event: WheelEvent) => {
      if (!event.ctrlKey) return;
      event.preventDefault();
      zoomByWheel(event.deltaY);
    };
    element.addEventListener('wheel', listener, { passive: false });
    return () => element.removeEventListener('wheel', listener);
  }, []);

  // One observer for all pages: a page renders while within a screen's height of the view.
  const observer = useRef<IntersectionObserver | null>(null);
  useEffect(() => {
    if (typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver(
      (entries) => {
        setVisible((before) => {
          const next = new Set(before);
          for (const entry of entries) {
            const page = Number((entry.target as HTMLElement).dataset.page);
            if (entry.isIntersecting) next.add(page);
            else next.delete(page);
          }
          return next;
        });
      },
      { root: scroller.current, rootMargin: '100% 0px' },
    );
    observer.current = io;
    scroller.current?.querySelectorAll('[data-page]').forEach((element) => io.observe(element));
    return () => io.disconnect();
  }, [pdf]);

  // The current page (for the thumbnail strip) is the one under the middle of the view.
  const onScroll = useCallback(() => {
    const element = scroller.current;
    if (!element) return;
    const middle = element.getBoundingClientRect().top + element.clientHeight / 2;
    for (const page of element.querySelectorAll<HTMLElement>('[data-page]')) {
      const rect = page.getBoundingClientRect();
      if (rect.bottom >= middle) {
        setCurrentPage(Number(page.dataset.page));
        return;
      }
    }
  }, []);

  const observe = useCallback((element: HTMLElement | null) => {
    if (element) observer.current?.observe(element);
  }, []);

  const onSize = useCallback((page: number, size: PageSize) => {
    setSizes((before) =>
      before[page]?.width === size.width && before[page]?.height === size.height
        ? before
        : { ...before, [page]: size },
    );
  }, []);

  const goToPage = useCallback((page: number) => {
    scroller.current
      ?.querySelector(`[data-page="${page}"]`)
      ?.scrollIntoView({ block: 'start', behavior: 'auto' });
  }, []);

  const textOf = useCallback(
    async (page: number): Promise<PageTextIndex> => {
      const known = texts.current.get(page);
      if (known) return known;
      const content = await (await pdf.getPage(page)).getTextContent();
      const index = indexPageText(content.items.filter(isTextItem));
      texts.current.set(page, index);
      return index;
    },
    [pdf],
  );

  const search = async (query: string) => {
    if (query.trim() === '') {
      setFind(EMPTY_FIND);
      return;
    }
    setFind((before) => ({ ...before, query, searching: true }));
    const matches: FindState['matches'] = [];
    let anyText = false;
    for (const page of pageNumbers) {
      const index = await textOf(page);
      if (index.text.trim() !== '') anyText = true;
      for (const range of findMatches(index, query)) matches.push({ page, range });
    }
    // Start at the first match on or after the page the user is reading.
    const start = Math.max(
      0,
      matches.findIndex((match) => match.page >= currentPage),
    );
    setFind({ query, matches, current: start, searching: false, noText: !anyText });
    const first = matches[start];
    if (first) goToPage(first.page);
  };

  const step = (delta: number) => {
    setFind((before) => {
      if (before.matches.length === 0) return before;
      const current = (before.current + delta + before.matches.length) % before.matches.length;
      const match = before.matches[current];
      if (match) goToPage(match.page);
      return { ...before, current };
    });
  };

  // Per page, the matches to highlight; the same arrays until the search or the current match
  // changes, so scrolling does not rebuild (or re-scroll to) the highlights.
  const highlights = useMemo(() => {
    const byPage = new Map<number, PageHighlight[]>();
    find.matches.forEach((match, i) => {
      const index = texts.current.get(match.page);
      if (!index) return;
      const list = byPage.get(match.page) ?? [];
      list.push({ ranges: matchRanges(index, match.range), selected: i === find.current });
      byPage.set(match.page, list);
    });
    return byPage;
  }, [find]);

  return (
    <div className="pdf-viewer">
      <FindBar find={find} onSearch={(query) => void search(query)} onStep={step} />
      <div className="pdf-body">
        <Thumbnails
          pdf={pdf}
          pages={pageNumbers}
          currentPage={currentPage}
          firstSize={firstSize}
          ready={!firstPending}
          onGo={goToPage}
        />
        <div
          ref={scroller}
          className="pdf-pages"
          tabIndex={0}
          role="region"
          aria-label="Pages"
          onScroll={onScroll}
        >
          {pageNumbers.map((page) => (
            <PdfPage
              key={page}
              pdf={pdf}
              pageNumber={page}
              size={sizes[page] ?? firstSize}
              zoom={zoom}
              rotation={rotation}
              active={measured && visible.has(page) && (page === 1 || !firstPending)}
              observe={observe}
              onSize={onSize}
              onDrawn={onDrawn}
              highlights={highlights.get(page)}
            />
          ))}
        </div>
      </div>
    </div>
  );
}

function isTextItem<T extends object>(item: T): item is T & TextItemLike {
  return typeof (item as { str?: unknown }).str === 'string';
}

function FindBar({
  find,
  onSearch,
  onStep,
}: {
  find: FindState;
  onSearch: (query: string) => void;
  onStep: (delta: number) => void;
}) {
  const [query, setQuery] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (query === find.query && find.matches.length > 0) onStep(1);
    else onSearch(query);
  };
  const total = find.matches.length;
  return (
    <form role="search" className="pdf-find" onSubmit={submit} aria-label="Find">
      <input
        type="search"
        aria-label="Find in document"
        placeholder="Find in document"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && event.shiftKey) {
            event.preventDefault();
            onStep(-1);
          }
          if (event.key === 'Escape') {
            setQuery('');
            onSearch('');
          }
        }}
      />
      <button type="button" onClick={() => onStep(-1)} disabled={total === 0}>
        Previous match
      </button>
      <button type="button" onClick={() => onStep(1)} disabled={total === 0}>
        Next match
      </button>
      <output aria-live="polite">
        {find.searching
          ? 'Searching…'
          : find.query === ''
            ? ''
            : total > 0
              ? `${find.current + 1} of ${total} matches`
              : find.noText
                ? 'No text to search: this PDF is a scanned image without a text layer.'
                : `No matches for “${find.query}”`}
      </output>
    </form>
  );
}

interface PageHighlight {
  ranges: ItemRange[];
  selected: boolean;
}

interface PageProps {
  pdf: PDFDocumentProxy;
  pageNumber: number;
  size: PageSize;
  zoom: number;
  rotation: Rotation;
  active: boolean;
  observe: (element: HTMLElement | null) => void;
  onSize: (page: number, size: PageSize) => void;
  /** called once the page's canvas is drawn (or could not be) */
  onDrawn: (page: number) => void;
  highlights: PageHighlight[] | undefined;
}

const PdfPage = memo(function PdfPage({
  pdf,
  pageNumber,
  size,
  zoom,
  rotation,
  active,
  observe,
  onSize,
  onDrawn,
  highlights,
}: PageProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const textLayerElement = useRef<HTMLDivElement>(null);
  const [textLayer, setTextLayer] = useState<TextLayer | null>(null);
  const scrolledFor = useRef<PageHighlight[] | undefined>(undefined);
  const [failed, setFailed] = useState<string | null>(null);
  const quarter = rotation === 90 || rotation === 270;
  const width = (quarter ? size.height : size.width) * zoom;
  const height = (quarter ? size.width : size.height) * zoom;

  useEffect(() => {
    if (!active) {
      // Far from view: give the bitmap back, so a long document does not hold every page.
      if (canvas.current) canvas.current.width = canvas.current.height = 0;
      textLayerElement.current?.replaceChildren();
      return;
    }
    let cancelled = false;
    let renderTask: ReturnType<PDFPageProxy['render']> | undefined;
    let layer: TextLayer | undefined;
    (async () => {
      const page = await pdf.getPage(pageNumber);
      if (cancelled) return;
      const base = page.getViewport({ scale: 1 });
      onSize(pageNumber, { width: base.width, height: base.height });
      const viewport = page.getViewport({
        scale: zoom,
        rotation: (page.rotate + rotation) % 360,
      });
      const element = canvas.current;
      if (!element) return;
      // Sharp on high-density screens, within a cap that keeps big zooms from exhausting memory.
      const ratio = Math.min(globalThis.devicePixelRatio || 1, 2);
      const scale = Math.min(ratio, Math.sqrt(16_000_000 / (viewport.width * viewport.height)));
      element.width = Math.floor(viewport.width * scale);
      element.height = Math.floor(viewport.height * scale);
      renderTask = page.render({
        canvas: element,
        viewport,
        transform: scale !== 1 ? [scale, 0, 0, scale, 0, 0] : undefined,
      });
      await renderTask.promise;
      if (!cancelled) onDrawn(pageNumber);
      if (cancelled || !textLayerElement.current) return;
      const container = textLayerElement.current;
      container.replaceChildren();
      container.style.setProperty('--total-scale-factor', String(viewport.scale));
      layer = new TextLayer({
        textContentSource: await page.getTextContent(),
        container,
        viewport,
      });
      await layer.render();
      if (!cancelled) setTextLayer(layer);
    })().catch((error: unknown) => {
      const name = (error as { name?: string } | null)?.name;
      if (cancelled || name === 'RenderingCancelledException') return;
      onDrawn(pageNumber);
      setFailed(error instanceof Error ? error.message : String(error));
    });
    return () => {
      cancelled = true;
      renderTask?.cancel();
      layer?.cancel();
      setTextLayer(null);
    };
  }, [pdf, pageNumber, zoom, rotation, active, onSize, onDrawn]);

  // Find highlights: rebuild the text of the spans a match covers, with <mark>s in it.
  useEffect(() => {
    if (!textLayer) return;
    const divs = textLayer.textDivs;
    const strings = textLayer.textContentItemsStr;
    divs.forEach((div, i) => {
      if (div.querySelector('mark')) div.textContent = strings[i] ?? '';
    });
    if (!highlights) return;
    const byItem = new Map<number, { start: number; end: number; selected: boolean }[]>();
    for (const match of highlights)
      for (const range of match.ranges) {
        const list = byItem.get(range.item) ?? [];
        list.push({ start: range.start, end: range.end, selected: match.selected });
        byItem.set(range.item, list);
      }
    let selectedMark: HTMLElement | null = null;
    for (const [item, ranges] of byItem) {
      const div = divs[item];
      const text = strings[item] ?? '';
      if (!div) continue;
      div.replaceChildren();
      let at = 0;
      for (const range of ranges.sort((a, b) => a.start - b.start)) {
        if (range.start > at) div.append(text.slice(at, range.start));
        const mark = document.createElement('mark');
        mark.className = range.selected ? 'highlight selected' : 'highlight';
        mark.textContent = text.slice(range.start, range.end);
        div.append(mark);
        if (range.selected && !selectedMark) selectedMark = mark;
        at = range.end;
      }
      if (at < text.length) div.append(text.slice(at));
    }
    // Bring the current match into view once per step, not again when the page re-renders.
    if (selectedMark && scrolledFor.current !== highlights) {
      scrolledFor.current = highlights;
      selectedMark.scrollIntoView({ block: 'center', inline: 'nearest' });
    }
  }, [textLayer, highlights]);

  return (
    <div
      ref={observe}
      data-page={pageNumber}
      className="pdf-page"
      style={{ width, height }}
      onPointerDown={() => useAnnotations.getState().select(null)}
    >
      {failed ? (
        <p role="alert" className="notice notice-error">
          Page {pageNumber} could not be shown: {failed}
        </p>
      ) : (
        <canvas
          ref={canvas}
          role="img"
          aria-label={`Page ${pageNumber}`}
          style={{ width, height }}
        />
      )}
      <div ref={textLayerElement} className="textLayer" />
      <AnnotationLayer pageNumber={pageNumber} rotation={rotation} width={width} height={height} />
    </div>
  );
});

function Thumbnails({
  pdf,
  pages,
  currentPage,
  firstSize,
  ready,
  onGo,
}: {
  pdf: PDFDocumentProxy;
  pages: number[];
  currentPage: number;
  firstSize: PageSize;
  /** false while the first page is being drawn: thumbnails wait for it */
  ready: boolean;
  onGo: (page: number) => void;
}) {
  const list = useRef<HTMLOListElement>(null);
  const [shown, setShown] = useState<ReadonlySet<number>>(new Set());
  useEffect(() => {
    if (typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver(
      (entries) =>
        setShown((before) => {
          const next = new Set(before);
          for (const entry of entries)
            if (entry.isIntersecting) next.add(Number((entry.target as HTMLElement).dataset.thumb));
          return next;
        }),
      { root: list.current, rootMargin: '200px 0px' },
    );
    list.current?.querySelectorAll('[data-thumb]').forEach((element) => io.observe(element));
    return () => io.disconnect();
  }, [pages]);

  const thumbHeight = Math.round((96 * firstSize.height) / firstSize.width);
  return (
    <nav className="pdf-thumbnails" aria-label="Page thumbnails">
      <ol ref={list}>
        {pages.map((page) => (
          <li key={page} data-thumb={page}>
            <button
              type="button"
              aria-label={`Go to page ${page}`}
              aria-current={page === currentPage ? 'page' : undefined}
              onClick={() => onGo(page)}
            >
              <Thumbnail
                pdf={pdf}
                page={page}
                show={ready && shown.has(page)}
                height={thumbHeight}
              />
              <span>{page}</span>
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}

function Thumbnail({
  pdf,
  page,
  show,
  height,
}: {
  pdf: PDFDocumentProxy;
  page: number;
  show: boolean;
  height: number;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!show) return;
    let task: ReturnType<PDFPageProxy['render']> | undefined;
    let cancelled = false;
    void pdf.getPage(page).then((proxy) => {
      const element = canvas.current;
      if (cancelled || !element) return;
      const base = proxy.getViewport({ scale: 1 });
      const viewport = proxy.getViewport({ scale: 96 / base.width });
      element.width = Math.floor(viewport.width);
      element.height = Math.floor(viewport.height);
      task = proxy.render({ canvas: element, viewport });
      task.promise.catch(() => undefined);
    });
    return () => {
      cancelled = true;
      task?.cancel();
    };
  }, [pdf, page, show]);
  return <canvas ref={canvas} aria-hidden="true" style={{ width: 96, height }} />;
}
