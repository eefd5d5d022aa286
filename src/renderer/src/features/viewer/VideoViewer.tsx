// A video from its signed URL: the browser streams it with Range requests, which the companion
// API answers, so seeking does not download the whole file. Signed URLs are short-lived and a
// long video outlives one, so on a failed request the viewer asks for a fresh URL once and
// carries on from the same moment.
import { useEffect, useRef, useState } from 'react';

interface Props {
  url: string;
  title: string;
  refreshUrl: () => Promise<string | undefined>;
}

export function VideoViewer({ url, title, refreshUrl }: Props) {
  const video = useRef<HTMLVideoElement>(null);
  const [failed, setFailed] = useState(false);
  const retried = useRef(false);
  const resumeAt = useRef<{ time: number; playing: boolean } | null>(null);

  useEffect(() => {
    retried.current = false;
  }, [title]);

  const onError = () => {
    const element = video.current;
    if (!retried.current && element) {
      retried.current = true;
      resumeAt.current = { time: element.currentTime, playing: !element.paused };
      void refreshUrl().then((fresh) => {
        if (!fresh) setFailed(true);
      });
      return;
    }
    setFailed(true);
  };

  const onLoadedMetadata = () => {
    const element = video.current;
    const resume = resumeAt.current;
    if (!element || !resume) return;
    resumeAt.current = null;
    element.currentTime = resume.time;
    if (resume.playing) void element.play().catch(() => undefined);
  };

  return (
    <div className="video-viewer">
      {failed && (
        <p role="alert" className="notice notice-error">
          The video “{title}” could not be played: this computer may lack its codec, or the server
          could not be reached. Go back and open it again.
        </p>
      )}
      <video
        ref={video}
        src={url}
        controls
        preload="metadata"
        aria-label={`Video: ${title}`}
        onError={onError}
        onLoadedMetadata={onLoadedMetadata}
        onPlaying={() => {
          retried.current = false;
        }}
      />
    </div>
  );
}
