// The list view: a table of the documents, one row per document with its title as the button that
// opens it, rendering only the rows in view. Column headers sort; arrows move, Enter opens.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useMemo, useRef } from 'react';
import type { DocumentReference, Encounter } from '../../../../shared/api/schemas.js';
import { categoryLabel, formatBytes, formatDate } from '../../lib/format.js';
import { kindOf } from './DocumentIcon.js';
import type { SortOrder } from './document-order.js';
import { encounterLabel } from './encounter-label.js';
import { useFocusSelects, useGridKeys } from './use-grid-keys.js';
import { useDocuments } from './useDocuments.js';

export const LIST_ROW_HEIGHT = 40;

interface Props {
  documents: readonly DocumentReference[];
  encounters: readonly Encounter[];
  selectedIndex: number;
  onSelect(index: number): void;
  onOpen(index: number): void;
}

export function DocumentList({ documents, encounters, selectedIndex, onSelect, onOpen }: Props) {
  const scrollRef = useRef<HTMLElement>(null);
  const sort = useDocuments((s) => s.sort);
  const encounterNames = useMemo(
    () => new Map(encounters.map((e) => [e.id, encounterLabel(e)])),
    [encounters],
  );

  const virtualizer = useVirtualizer({
    count: documents.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => LIST_ROW_HEIGHT,
    overscan: 10,
    useFlushSync: false,
    // The sticky header row sits above the first row and covers what scrolls under it.
    scrollMargin: LIST_ROW_HEIGHT,
    scrollPaddingStart: LIST_ROW_HEIGHT,
  });
  const reveal = useCallback(
    (index: number) => virtualizer.scrollToIndex(index, { align: 'auto' }),
    [virtualizer],
  );
  const onKeyDown = useGridKeys({
    count: documents.length,
    columns: 1,
    pageRows: Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 0) / LIST_ROW_HEIGHT) - 1),
    current: selectedIndex,
    container: scrollRef,
    select: onSelect,
    open: onOpen,
    reveal,
    ready: documents.length > 0,
  });
  const { containerProps, focusSelects } = useFocusSelects(onSelect);
  const tabStop = selectedIndex >= 0 ? selectedIndex : 0;

  return (
    <section
      ref={scrollRef}
      aria-label="Document list"
      className="doc-list scroller"
      onKeyDown={onKeyDown}
      {...containerProps}
    >
      <div role="table" aria-label="Documents" aria-rowcount={documents.length + 1}>
        <div role="rowgroup" className="doc-list-head">
          <div role="row" aria-rowindex={1} className="doc-list-row">
            <SortHeader label="Title" column="title" sort={sort} className="col-title" />
            <SortHeader label="Date" column="date" sort={sort} className="col-date" />
            <div role="columnheader" className="col-category">
              Category
            </div>
            <div role="columnheader" className="col-encounter">
              Encounter
            </div>
            <div role="columnheader" className="col-type">
              Type
            </div>
          </div>
        </div>
        <div
          role="rowgroup"
          className="virtual-space"
          style={{ height: virtualizer.getTotalSize() }}
        >
          {virtualizer.getVirtualItems().map((item) => {
            const doc = documents[item.index];
            if (!doc) return null;
            const selected = item.index === selectedIndex;
            return (
              <div
                key={doc.id}
                role="row"
                aria-rowindex={item.index + 2}
                className={`doc-list-row${selected ? ' selected' : ''}`}
                // A click beside the title (which opens) selects, for the details panel.
                onClick={(event) => {
                  if (!(event.target as HTMLElement).closest('button')) onSelect(item.index);
                }}
                style={{
                  transform: `translateY(${item.start - LIST_ROW_HEIGHT}px)`,
                  height: LIST_ROW_HEIGHT,
                }}
              >
                <div role="cell" className="col-title">
                  <button
                    type="button"
                    className="row-open"
                    data-index-key={item.index}
                    tabIndex={item.index === tabStop ? 0 : -1}
                    aria-current={selected ? 'true' : undefined}
                    onFocus={() => !selected && focusSelects(item.index)}
                    onClick={() => onOpen(item.index)}
                  >
                    {doc.title}
                  </button>
                </div>
                <div role="cell" className="col-date">
                  {formatDate(doc.documentDate)}
                </div>
                <div role="cell" className="col-category">
                  {categoryLabel(doc.category)}
                </div>
                <div role="cell" className="col-encounter">
                  {doc.encounterId ? (encounterNames.get(doc.encounterId) ?? '—') : '—'}
                </div>
                <div role="cell" className="col-type">
                  {kindOf(doc.contentType)} · {formatBytes(doc.fileSize)}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}

function SortHeader({
  label,
  column,
  sort,
  className,
}: {
  label: string;
  column: 'title' | 'date';
  sort: SortOrder;
  className: string;
}) {
  const active = sort.startsWith(column);
  const ascending = sort.endsWith('asc');
  const next: SortOrder =
    column === 'title'
      ? active && ascending
        ? 'title-desc'
        : 'title-asc'
      : active && !ascending
        ? 'date-asc'
        : 'date-desc';
  return (
    <div
      role="columnheader"
      className={className}
      aria-sort={active ? (ascending ? 'ascending' : 'descending') : 'none'}
    >
      <button
        type="button"
        className="link-button"
        tabIndex={-1}
        onClick={() => useDocuments.getState().setSort(next)}
      >
        {label}
        <span aria-hidden="true">{active ? (ascending ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </div>
  );
}
