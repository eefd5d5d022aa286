// A video from its signed URL: the browser streams it with Range requests, which the companion
// API answers, so seeking does not download the whole file.
import { useState } from 'react';

export function VideoViewer({ url, title }: { url: string; title: string }) {
  const [failed, setFailed] = useState(false);
  return (
    <div className="video-viewer">
      {failed && (
        <p role="alert" className="notice notice-error">
          The video “{title}” could not be played: this computer may lack its codec, or its link has
          expired (go back and open it again).
        </p>
      )}
      <video
        src={url}
        controls
        preload="metadata"
        aria-label={`Video: ${title}`}
        onError={() => setFailed(true)}
      />
    </div>
  );
}
