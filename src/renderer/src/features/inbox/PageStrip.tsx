// The open item's pages, in the order they will be filed: pick pages to rotate, delete or split
// at; move a page by dragging it, with its arrow buttons, or with Alt+Left/Right. Pages that look
// blank are flagged for the user to decide; nothing is dropped without them.
import { useEffect, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import type { InboxItem } from '../../../../shared/ingest/model.js';
import { InboxThumbnail } from './InboxThumbnail.js';
import { plural, useInbox } from './store.js';

/** The drag type of a page being moved; the window's drop zone ignores it. */
export const PAGE_DRAG_TYPE = 'application/x-medaius-inbox-page';

export function PageStrip({ item }: { item: InboxItem }) {
  const picked = useInbox((s) => s.pickedPages);
  const busy = useInbox((s) => s.busy !== null);
  const [focusPage, setFocusPage] = useState<string | null>(null);
  const [dragOver, setDragOver] = useState<number | null>(null);
  const listRef = useRef<HTMLOListElement>(null);
  const store = useInbox.getState;
  const pages = item.pages;
  const name = item.originalName;

  // A moved page keeps the keyboard focus at its new place.
  useEffect(() => {
    if (!focusPage) return;
    listRef.current?.querySelector<HTMLInputElement>(`input[data-page-id="${focusPage}"]`)?.focus();
  }, [focusPage, pages]);

  if (!pages) {
    return (
      <section className="inbox-pages-section" aria-labelledby="pages-heading">
        <h2 id="pages-heading">{name}</h2>
        <InboxThumbnail thumbnail={item.thumbnail} alt={`Preview of ${name}`} />
        <p className="muted">{item.type.label}: filed as it is, with no pages to edit.</p>
      </section>
    );
  }

  const move = (pageId: string, toIndex: number) => {
    setFocusPage(pageId);
    void store().movePage(pageId, toIndex);
  };

  const onKeyDown = (event: KeyboardEvent, pageId: string, index: number) => {
    if (!event.altKey) return;
    if (event.key === 'ArrowLeft' || event.key === 'ArrowUp') {
      event.preventDefault();
      move(pageId, index - 1);
    } else if (event.key === 'ArrowRight' || event.key === 'ArrowDown') {
      event.preventDefault();
      move(pageId, index + 1);
    }
  };

  const onDrop = (event: DragEvent, index: number) => {
    const pageId = event.dataTransfer.getData(PAGE_DRAG_TYPE);
    setDragOver(null);
    if (!pageId) return;
    event.preventDefault();
    event.stopPropagation();
    move(pageId, index);
  };

  const count = picked.length;
  const nothingPicked = count === 0 || busy;
  return (
    <section className="inbox-pages-section" aria-labelledby="pages-heading">
      <h2 id="pages-heading">Pages of {name}</h2>
      <div className="inbox-page-tools" role="toolbar" aria-label="Page tools">
        <span className="muted" aria-live="polite">
          {count === 0 ? 'Pick pages to change them' : `${plural(count, 'page')} picked`}
        </span>
        <button type="button" disabled={nothingPicked} onClick={() => void store().rotate(-90)}>
          Rotate left
        </button>
        <button type="button" disabled={nothingPicked} onClick={() => void store().rotate(90)}>
          Rotate right
        </button>
        <button
          type="button"
          disabled={nothingPicked}
          onClick={() => void store().deletePickedPages()}
        >
          Delete pages
        </button>
        <button type="button" disabled={nothingPicked} onClick={() => void store().splitAtPicked()}>
          Split before picked pages
        </button>
      </div>
      <p className="muted inbox-page-hint">
        Drag a page, or press Alt+Left/Right, to move it. Splitting starts a new document at each
        picked page.
      </p>
      <ol className="inbox-page-strip" aria-label="Pages" ref={listRef}>
        {pages.map((page, index) => {
          const number = index + 1;
          const isPicked = picked.includes(page.id);
          return (
            <li
              key={page.id}
              className={[
                'inbox-page',
                isPicked ? 'inbox-page-picked' : '',
                page.blank ? 'inbox-page-blank' : '',
                dragOver === index ? 'inbox-page-drop-target' : '',
              ]
                .filter(Boolean)
                .join(' ')}
              draggable
              onDragStart={(event) => {
                event.dataTransfer.setData(PAGE_DRAG_TYPE, page.id);
                event.dataTransfer.effectAllowed = 'move';
              }}
              onDragOver={(event) => {
                if (!event.dataTransfer.types.includes(PAGE_DRAG_TYPE)) return;
                event.preventDefault();
                event.stopPropagation();
                setDragOver(index);
              }}
              onDragLeave={() => setDragOver(null)}
              onDrop={(event) => onDrop(event, index)}
              onKeyDown={(event) => onKeyDown(event, page.id, index)}
            >
              <label className="inbox-page-pick">
                <input
                  type="checkbox"
                  data-page-id={page.id}
                  checked={isPicked}
                  onChange={(e) => store().togglePage(page.id, e.target.checked)}
                />
                Page {number}
                {page.rotation ? ` (turned ${page.rotation}°)` : ''}
              </label>
              <InboxThumbnail
                thumbnail={page.thumbnail}
                alt={`Page ${number}`}
                rotation={page.rotation}
              />
              {page.blank && <span className="inbox-flag">Looks blank</span>}
              <span className="inbox-page-move">
                <button
                  type="button"
                  aria-label={`Move page ${number} earlier`}
                  disabled={index === 0 || busy}
                  onClick={() => move(page.id, index - 1)}
                >
                  ←
                </button>
                <button
                  type="button"
                  aria-label={`Move page ${number} later`}
                  disabled={index === pages.length - 1 || busy}
                  onClick={() => move(page.id, index + 1)}
                >
                  →
                </button>
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
