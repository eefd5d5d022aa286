// The gallery: one thumbnail button per document, named by its title, in a grid that renders only
// the rows in view so 10,000 documents scroll smoothly. Thumbnails are asked for, in batches,
// for the rows in view. Arrow keys move through the grid, Enter (or a click) opens.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef } from 'react';
import type { DocumentReference } from '../../../../shared/api/schemas.js';
import { categoryLabel, formatDate } from '../../lib/format.js';
import { useElementWidth } from '../../lib/use-element-width.js';
import { isPdf, preloadPdfViewer } from '../viewer/preload.js';
import { DocumentIcon } from './DocumentIcon.js';
import { useFocusSelects, useGridKeys } from './use-grid-keys.js';
import { useDocuments } from './useDocuments.js';

export const CELL_WIDTH = 184;
export const ROW_HEIGHT = 232;

interface Props {
  documents: readonly DocumentReference[];
  selectedIndex: number;
  onSelect(index: number): void;
  onOpen(index: number): void;
}

export function DocumentGallery({ documents, selectedIndex, onSelect, onOpen }: Props) {
  const scrollRef = useRef<HTMLElement>(null);
  const width = useElementWidth(scrollRef);
  const columns = Math.max(1, Math.floor(width / CELL_WIDTH));
  const rowCount = Math.ceil(documents.length / columns);
  const thumbnails = useDocuments((s) => s.thumbnails);

  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 2,
    // React 19 batches the scroll re-render itself; flushSync inside its commit only warns.
    useFlushSync: false,
  });
  const rows = virtualizer.getVirtualItems();
  const firstRow = rows[0]?.index ?? 0;
  const lastRow = rows[rows.length - 1]?.index ?? -1;

  useEffect(() => {
    if (lastRow < 0) return;
    const inView = documents.slice(firstRow * columns, (lastRow + 1) * columns);
    useDocuments.getState().requestThumbnails(inView.map((d) => d.id));
  }, [documents, firstRow, lastRow, columns]);

  const reveal = useCallback(
    (index: number) => virtualizer.scrollToIndex(Math.floor(index / columns), { align: 'auto' }),
    [virtualizer, columns],
  );
  const onKeyDown = useGridKeys({
    count: documents.length,
    columns,
    pageRows: Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 0) / ROW_HEIGHT)),
    current: selectedIndex,
    container: scrollRef,
    select: onSelect,
    open: onOpen,
    reveal,
    ready: width > 0 && rowCount > 0,
  });
  const { containerProps, focusSelects } = useFocusSelects(onSelect);
  const tabStop = selectedIndex >= 0 ? selectedIndex : 0;

  return (
    <section
      ref={scrollRef}
      aria-label="Gallery"
      aria-describedby="gallery-keys"
      className="gallery scroller"
      onKeyDown={onKeyDown}
      {...containerProps}
    >
      <p id="gallery-keys" className="visually-hidden">
        Arrow keys move between documents, Home and End go to the first and last, Enter opens.
      </p>
      <div className="virtual-space" style={{ height: virtualizer.getTotalSize() }}>
        {rows.map((row) => (
          <div
            key={row.key}
            className="gallery-row"
            style={{
              transform: `translateY(${row.start}px)`,
              height: ROW_HEIGHT,
              gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`,
            }}
          >
            {documents.slice(row.index * columns, (row.index + 1) * columns).map((doc, i) => {
              const index = row.index * columns + i;
              const thumbnail = thumbnails[doc.id];
              return (
                <button
                  key={doc.id}
                  type="button"
                  className="doc-thumb"
                  data-index-key={index}
                  tabIndex={index === tabStop ? 0 : -1}
                  aria-label={doc.title}
                  aria-describedby={`doc-meta-${doc.id}`}
                  aria-current={index === selectedIndex ? 'true' : undefined}
                  onFocus={() => {
                    // The PDF viewer's code, if the idle preload has not brought it in yet (only
                    // code: no document is opened before the user opens it).
                    if (isPdf(doc.contentType)) void preloadPdfViewer();
                    if (index !== selectedIndex) focusSelects(index);
                  }}
                  onClick={() => onOpen(index)}
                >
                  <span className="doc-thumb-image">
                    {thumbnail?.url ? (
                      <img src={thumbnail.url} alt="" decoding="async" draggable={false} />
                    ) : (
                      <DocumentIcon contentType={doc.contentType} />
                    )}
                  </span>
                  <span className="doc-thumb-title">{doc.title}</span>
                  <span id={`doc-meta-${doc.id}`} className="doc-thumb-meta muted">
                    {formatDate(doc.documentDate)} · {categoryLabel(doc.category)}
                  </span>
                </button>
              );
            })}
          </div>
        ))}
      </div>
    </section>
  );
}
