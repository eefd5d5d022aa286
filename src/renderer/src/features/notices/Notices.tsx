// Problems background work met while nobody was waiting for an answer — a hot folder that
// cannot be watched, a file it could not take, offline copies that cannot open — shown under
// the navigation until dismissed. Main keeps them (src/main/services/notices.ts), so a window
// opened later, or reloaded, still shows them.
import { useEffect, useState } from 'react';
import type { Notice, NoticeList } from '../../../../shared/ipc/contract.js';

export function Notices() {
  const [notices, setNotices] = useState<Notice[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const show = (list: NoticeList) => {
      if (live) setNotices(list.notices);
    };
    const unsubscribe = window.api.onNoticesChanged(show);
    window.api.listNotices().then(show, (e: unknown) => {
      if (live) setError(`Problems from background work cannot be shown: ${String(e)}`);
    });
    return () => {
      live = false;
      unsubscribe();
    };
  }, []);

  const dismiss = (id?: string) => {
    window.api.dismissNotices(id === undefined ? {} : { id }).then(
      (list) => setNotices(list.notices),
      (e: unknown) => setError(`The notice could not be dismissed: ${String(e)}`),
    );
  };

  if (notices.length === 0 && !error) return null;
  return (
    <section className="notices" aria-label="Problems from background work">
      {error && (
        <p role="alert" className="banner banner-warning">
          {error}
        </p>
      )}
      <ul role="log" aria-live="polite">
        {notices.map((notice) => (
          <li key={notice.id} className="banner banner-warning">
            <span className="notice-message">{notice.message}</span>
            <time className="notice-time" dateTime={notice.at}>
              {new Date(notice.at).toLocaleTimeString()}
            </time>
            <button type="button" onClick={() => dismiss(notice.id)}>
              Dismiss
            </button>
          </li>
        ))}
      </ul>
      {notices.length > 1 && (
        <button type="button" className="notices-dismiss-all" onClick={() => dismiss()}>
          Dismiss all {notices.length}
        </button>
      )}
    </section>
  );
}
