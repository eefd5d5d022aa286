// A thumbnail of an inbox item or page, fetched once from main as a data URL. The picture shows
// the page before the user's turn, so a turn is drawn on top of it.
import { useEffect } from 'react';
import type { Thumbnail } from '../../../../shared/ingest/model.js';
import { useInbox } from './store.js';

export function InboxThumbnail({
  thumbnail,
  alt,
  rotation = 0,
}: {
  thumbnail: Thumbnail;
  alt: string;
  rotation?: number;
}) {
  const sha256 = thumbnail.status === 'ready' ? thumbnail.file.sha256 : null;
  const thumb = useInbox((s) => (sha256 ? s.thumbs[sha256] : undefined));
  const missing = thumb === undefined;
  useEffect(() => {
    if (sha256 && missing) useInbox.getState().thumbnail(sha256);
  }, [sha256, missing]);

  if (thumbnail.status !== 'ready') {
    return (
      <span
        className="inbox-thumb inbox-thumb-none"
        role="img"
        aria-label={`${alt}: ${thumbnail.reason}`}
      >
        No preview
      </span>
    );
  }
  if (thumb?.state === 'ready') {
    return (
      <img
        className="inbox-thumb"
        src={thumb.url}
        alt={alt}
        style={rotation ? { transform: turned(rotation) } : undefined}
      />
    );
  }
  return (
    <span className="inbox-thumb inbox-thumb-none" role="img" aria-label={alt}>
      {thumb?.state === 'failed' ? 'No preview' : ''}
    </span>
  );
}

/** A quarter turn makes a portrait box landscape: it shrinks to fit the box it had (4.5 × 6 rem). */
function turned(rotation: number): string {
  return rotation % 180 === 0 ? `rotate(${rotation}deg)` : `rotate(${rotation}deg) scale(0.75)`;
}
