// A photo or scan from its signed URL. The browser applies the file's EXIF orientation
// (image-orientation: from-image) before anything else, and naturalWidth/Height are then the
// upright size, so annotations are stored against the picture as the user sees it upright.
import { useState } from 'react';
import { ZoomStage } from './ZoomStage.js';

export function ImageViewer({ url, title }: { url: string; title: string }) {
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  const [failed, setFailed] = useState(false);

  if (failed) {
    return (
      <p role="alert" className="notice notice-error">
        The image “{title}” could not be loaded. Its link may have expired: go back and open it
        again.
      </p>
    );
  }
  return (
    <>
      {!size && <p className="muted">Loading the image…</p>}
      {/* Loaded off-screen first: the stage needs the upright size before it can lay out. */}
      {!size && (
        <img
          src={url}
          alt=""
          className="image-probe"
          onLoad={(event) =>
            setSize({
              width: event.currentTarget.naturalWidth,
              height: event.currentTarget.naturalHeight,
            })
          }
          onError={() => setFailed(true)}
        />
      )}
      {size && (
        <ZoomStage
          naturalWidth={size.width}
          naturalHeight={size.height}
          pageNumber={1}
          label="Image"
        >
          {() => <img src={url} alt={title} className="viewer-image" draggable={false} />}
        </ZoomStage>
      )}
    </>
  );
}
