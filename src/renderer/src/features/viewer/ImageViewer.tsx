// A photo or scan from its signed URL. The browser applies the file's EXIF orientation
// (image-orientation: from-image) before anything else, and naturalWidth/Height are then the
// upright size, so annotations are stored against the picture as the user sees it upright.
// A signed URL that has expired by the time the picture loads is renewed once.
import { useRef, useState } from 'react';
import { ZoomStage } from './ZoomStage.js';

interface Props {
  url: string;
  title: string;
  refreshUrl: () => Promise<string | undefined>;
}

export function ImageViewer({ url, title, refreshUrl }: Props) {
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  const [failed, setFailed] = useState(false);
  const retried = useRef(false);
  const onError = () => {
    if (retried.current) {
      setFailed(true);
      return;
    }
    retried.current = true;
    void refreshUrl().then((fresh) => {
      if (!fresh) setFailed(true);
    });
  };

  if (failed) {
    return (
      <p role="alert" className="notice notice-error">
        The image “{title}” could not be loaded: the file may be damaged, or the server could not be
        reached. Go back and open it again.
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
          onError={onError}
        />
      )}
      {size && (
        <ZoomStage
          naturalWidth={size.width}
          naturalHeight={size.height}
          pageNumber={1}
          label="Image"
        >
          {() => (
            <img
              src={url}
              alt={title}
              className="viewer-image"
              draggable={false}
              onError={onError}
            />
          )}
        </ZoomStage>
      )}
    </>
  );
}
