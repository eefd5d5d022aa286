// The scan dialog: choose a scanner, its source (flatbed, feeder, both sides), colour mode and
// resolution, start, and watch the pages arrive while the feeder runs; cancel keeps the pages
// already scanned. Escape closes it (once no scan is running) and focus returns to the opener.
import { useEffect, useId, useRef, type KeyboardEvent } from 'react';
import { InboxThumbnail } from '../inbox/InboxThumbnail.js';
import type { ScanColour, ScanSource } from '../inbox/ingest-api.js';
import { plural, useInbox } from '../inbox/store.js';
import { useScan } from './store.js';
import './scan.css';

const SOURCE_WORDS: Record<ScanSource, string> = {
  flatbed: 'Flatbed',
  feeder: 'Document feeder (ADF)',
  'feeder-duplex': 'Document feeder, both sides (duplex)',
};

const COLOUR_WORDS: Record<ScanColour, string> = {
  color: 'Colour',
  gray: 'Greyscale',
  lineart: 'Line art (black and white)',
};

export function ScanDialog({ onClose }: { onClose(): void }) {
  const id = useId();
  const dialogRef = useRef<HTMLDivElement>(null);
  const s = useScan();
  const running = s.job?.state === 'scanning' || s.job?.state === 'cancelling';

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    useScan.getState().reset();
    void useScan.getState().findScanners();
    dialogRef.current?.focus();
    return () => opener?.focus?.();
  }, []);

  const close = () => {
    if (running) return;
    const scanned = useScan.getState().job?.itemId;
    // The new scan is what the user wants to look at next.
    if (scanned) useInbox.getState().open(scanned);
    useScan.getState().reset();
    onClose();
  };

  const resolutions = s.capabilities?.resolutions;
  return (
    <div className="modal-backdrop">
      <div
        ref={dialogRef}
        className="modal card scan-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        tabIndex={-1}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.stopPropagation();
            close();
          } else if (event.key === 'Tab') {
            keepFocusInside(event, dialogRef.current);
          }
        }}
      >
        <h2 id={`${id}-title`}>Scan</h2>
        {s.devicesError && (
          <p role="alert" className="notice notice-error">
            {s.devicesError}
          </p>
        )}
        {s.capabilitiesError && (
          <p role="alert" className="notice notice-error">
            {s.capabilitiesError}
          </p>
        )}
        <form
          className="form scan-form"
          onSubmit={(event) => {
            event.preventDefault();
            void useScan.getState().start();
          }}
        >
          {s.devices === null ? (
            <p role="status">Looking for scanners…</p>
          ) : s.devices.length === 0 ? (
            <p role="status">
              No scanner found. Check that it is switched on and connected, then look again.
            </p>
          ) : (
            <label>
              Scanner
              <select
                value={s.deviceId ?? ''}
                disabled={running}
                onChange={(e) => void useScan.getState().chooseDevice(e.target.value)}
              >
                {s.devices.map((device) => (
                  <option key={device.id} value={device.id}>
                    {device.vendor} {device.model} ({device.type}, {device.id})
                  </option>
                ))}
              </select>
            </label>
          )}
          {s.capabilities && (
            <>
              <label>
                Source
                <select
                  value={s.source ?? ''}
                  disabled={running}
                  onChange={(e) =>
                    useScan.getState().choose({ source: e.target.value as ScanSource })
                  }
                >
                  {s.capabilities.sources.map((source) => (
                    <option key={source} value={source}>
                      {SOURCE_WORDS[source]}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Mode
                <select
                  value={s.colour ?? ''}
                  disabled={running}
                  onChange={(e) =>
                    useScan.getState().choose({ colour: e.target.value as ScanColour })
                  }
                >
                  {s.capabilities.colours.map((colour) => (
                    <option key={colour} value={colour}>
                      {COLOUR_WORDS[colour]}
                    </option>
                  ))}
                </select>
              </label>
              {Array.isArray(resolutions)
                ? resolutions.length > 0 && (
                    <label>
                      Resolution
                      <select
                        value={s.resolution}
                        disabled={running}
                        onChange={(e) =>
                          useScan.getState().choose({ resolution: Number(e.target.value) })
                        }
                      >
                        {resolutions.map((dpi) => (
                          <option key={dpi} value={dpi}>
                            {dpi} dpi
                          </option>
                        ))}
                      </select>
                    </label>
                  )
                : resolutions && (
                    <label>
                      Resolution (dpi)
                      <input
                        type="number"
                        min={resolutions.min}
                        max={resolutions.max}
                        step={1}
                        value={s.resolution}
                        disabled={running}
                        onChange={(e) =>
                          useScan.getState().choose({ resolution: Number(e.target.value) })
                        }
                      />
                    </label>
                  )}
            </>
          )}
          <div className="scan-buttons">
            {running ? (
              <button
                type="button"
                disabled={s.job?.state === 'cancelling'}
                onClick={() => void useScan.getState().cancel()}
              >
                {s.job?.state === 'cancelling' ? 'Cancelling…' : 'Cancel scan'}
              </button>
            ) : (
              <button type="submit" disabled={!s.capabilities || !s.source || !s.colour}>
                Start scan
              </button>
            )}
            {s.devices !== null && !running && (
              <button type="button" onClick={() => void useScan.getState().findScanners()}>
                Look again
              </button>
            )}
            <button type="button" disabled={running} onClick={close}>
              Close
            </button>
          </div>
        </form>
        {s.job && (
          <>
            <p role="status" className="scan-status">
              {jobText(s.job.state, s.job.pagesScanned)}
            </p>
            {s.job.error && (
              <p role="alert" className="notice notice-error">
                {s.job.error}
              </p>
            )}
            <ol className="scan-pages" aria-label="Scanned pages">
              {s.job.pages.map((page) => (
                <li key={page.number} className={page.blank ? 'scan-page-blank' : undefined}>
                  <InboxThumbnail thumbnail={page.thumbnail} alt={`Scanned page ${page.number}`} />
                  <span>
                    Page {page.number}
                    {page.blank ? ' · looks blank' : ''}
                  </span>
                </li>
              ))}
            </ol>
          </>
        )}
      </div>
    </div>
  );
}

function jobText(
  state: 'scanning' | 'done' | 'cancelling' | 'cancelled' | 'failed',
  pages: number,
) {
  switch (state) {
    case 'scanning':
      return pages === 0 ? 'Scanning…' : `Scanning… ${plural(pages, 'page')} so far`;
    case 'cancelling':
      return 'Cancelling the scan…';
    case 'done':
      return `Scanned ${plural(pages, 'page')} into the inbox.`;
    case 'cancelled':
      return pages === 0
        ? 'Scan cancelled; nothing was scanned.'
        : `Scan cancelled; the ${plural(pages, 'page')} already scanned are in the inbox.`;
    case 'failed':
      return pages === 0
        ? 'The scan failed.'
        : `The scan stopped; the ${plural(pages, 'page')} already scanned are in the inbox.`;
  }
}

/** Tab from the last control goes to the first and Shift+Tab back, so focus stays in the dialog. */
function keepFocusInside(event: KeyboardEvent, dialog: HTMLElement | null): void {
  if (!dialog) return;
  const focusable = Array.from(
    dialog.querySelectorAll<HTMLElement>('button, select, input, [tabindex="0"]'),
  ).filter((el) => !(el as HTMLButtonElement).disabled);
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (!first || !last) return;
  const active = document.activeElement;
  if (event.shiftKey && (active === first || active === dialog)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && active === last) {
    event.preventDefault();
    first.focus();
  }
}
