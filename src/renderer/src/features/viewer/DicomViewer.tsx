// A DICOM image from its signed URL: the key patient and study tags, the frame drawn on a canvas
// through the current window/level (drag on the image, presets, or type the numbers), and frame
// scrolling for multi-frame images (wheel, slider, buttons). A file the viewer cannot decode gets
// a message that names its transfer syntax, never a blank canvas.
import { useEffect, useRef, useState } from 'react';
import { decodeFrame } from '../../lib/dicom-decode.js';
import {
  DicomError,
  dragWindow,
  fullRangeWindow,
  initialWindow,
  parseDicomImage,
  renderFrame,
  windowPresets,
  type DicomFrame,
  type DicomImage,
  type VoiWindow,
} from '../../lib/dicom.js';
import { ZoomStage } from './ZoomStage.js';

type Loaded =
  | { state: 'loading' }
  | { state: 'failed'; message: string }
  | { state: 'ready'; image: DicomImage };

export function DicomViewer({ url, title }: { url: string; title: string }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });

  useEffect(() => {
    const abort = new AbortController();
    setLoaded({ state: 'loading' });
    fetch(url, { signal: abort.signal })
      .then(async (response) => {
        if (!response.ok)
          throw new Error(`the server answered ${response.status} ${response.statusText}`.trim());
        return parseDicomImage(new Uint8Array(await response.arrayBuffer()));
      })
      .then(
        (image) => setLoaded({ state: 'ready', image }),
        (error: unknown) => {
          if (abort.signal.aborted) return;
          setLoaded({
            state: 'failed',
            message:
              error instanceof DicomError
                ? error.message
                : `The DICOM file “${title}” could not be downloaded: ${error instanceof Error ? error.message : String(error)}. Its link may have expired: go back and open it again.`,
          });
        },
      );
    return () => abort.abort();
  }, [url, title]);

  if (loaded.state === 'loading') return <p className="muted">Loading the DICOM image…</p>;
  if (loaded.state === 'failed')
    return (
      <p role="alert" className="notice notice-error">
        {loaded.message}
      </p>
    );
  return <DicomImageView image={loaded.image} />;
}

function DicomImageView({ image }: { image: DicomImage }) {
  const [frameIndex, setFrameIndex] = useState(0);
  const [frame, setFrame] = useState<DicomFrame | null>(null);
  const [voi, setVoi] = useState<VoiWindow | null>(null);
  const [error, setError] = useState<string | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const dragStart = useRef<VoiWindow | null>(null);

  useEffect(() => {
    let current = true;
    decodeFrame(image, frameIndex).then(
      (decoded) => {
        if (!current) return;
        setFrame(decoded);
        setError(null);
        // The first frame sets the window; later frames keep what the user chose.
        setVoi((chosen) => chosen ?? initialWindow(image, decoded));
      },
      (failure: unknown) => {
        if (current)
          setError(
            `Frame ${frameIndex + 1} could not be decoded: ${failure instanceof Error ? failure.message : String(failure)}`,
          );
      },
    );
    return () => {
      current = false;
    };
  }, [image, frameIndex]);

  useEffect(() => {
    const element = canvas.current;
    if (!element || !frame || !voi) return;
    element.width = frame.width;
    element.height = frame.height;
    const context = element.getContext('2d');
    if (!context) return;
    const pixels = renderFrame(image, frame, voi);
    context.putImageData(
      new ImageData(new Uint8ClampedArray(pixels), frame.width, frame.height),
      0,
      0,
    );
  }, [image, frame, voi]);

  const presets = windowPresets(image);
  const stepFrame = (delta: number) =>
    setFrameIndex((index) => Math.min(image.frames - 1, Math.max(0, index + delta)));

  const choosePreset = (name: string) => {
    if (!frame) return;
    if (name === 'file') setVoi(initialWindow(image, frame));
    else if (name === 'full') setVoi(fullRangeWindow(frame));
    else {
      const preset = presets.find((entry) => entry.name === name);
      if (preset) setVoi(preset.window);
    }
  };

  return (
    <div className="dicom-viewer">
      <div className="dicom-main">
        {error && (
          <p role="alert" className="notice notice-error">
            {error}
          </p>
        )}
        <ZoomStage
          naturalWidth={image.columns}
          naturalHeight={image.rows}
          pageNumber={frameIndex + 1}
          label={`DICOM frame ${frameIndex + 1} of ${image.frames}`}
          onDrag={(dx, dy, phase) => {
            if (!frame || !voi) return;
            if (phase === 'start') dragStart.current = voi;
            else if (dragStart.current) setVoi(dragWindow(dragStart.current, dx, dy, frame));
            if (phase === 'end') dragStart.current = null;
          }}
          onWheel={(deltaY) => {
            if (image.frames < 2) return false;
            stepFrame(deltaY > 0 ? 1 : -1);
            return true;
          }}
        >
          {() => (
            <canvas
              ref={canvas}
              className="dicom-canvas"
              role="img"
              aria-label={`DICOM image, frame ${frameIndex + 1} of ${image.frames}`}
            />
          )}
        </ZoomStage>
      </div>
      <aside className="dicom-side" aria-label="DICOM details">
        <DicomTagList image={image} />
        <fieldset>
          <legend>Window / level</legend>
          <label>
            Window preset{' '}
            <select
              aria-label="Window preset"
              value=""
              onChange={(e) => choosePreset(e.target.value)}
            >
              <option value="" disabled>
                Choose…
              </option>
              <option value="file">{image.window ? 'As stored in the file' : 'Automatic'}</option>
              <option value="full">Full range</option>
              {presets.map((preset) => (
                <option key={preset.name} value={preset.name}>
                  {preset.name} ({preset.window.center}/{preset.window.width})
                </option>
              ))}
            </select>
          </label>
          {voi && (
            <>
              <label>
                Window centre{' '}
                <input
                  type="number"
                  value={Math.round(voi.center)}
                  onChange={(e) => setVoi({ ...voi, center: Number(e.target.value) })}
                />
              </label>
              <label>
                Window width{' '}
                <input
                  type="number"
                  min={1}
                  value={Math.round(voi.width)}
                  onChange={(e) => setVoi({ ...voi, width: Math.max(1, Number(e.target.value)) })}
                />
              </label>
            </>
          )}
          <p className="muted">Drag on the image: right/left for width, down/up for centre.</p>
        </fieldset>
        {image.frames > 1 && (
          <fieldset>
            <legend>Frames</legend>
            <button type="button" onClick={() => stepFrame(-1)} disabled={frameIndex === 0}>
              Previous frame
            </button>{' '}
            <button
              type="button"
              onClick={() => stepFrame(1)}
              disabled={frameIndex === image.frames - 1}
            >
              Next frame
            </button>
            <label>
              Frame {frameIndex + 1} of {image.frames}
              <input
                type="range"
                aria-label="Frame"
                min={1}
                max={image.frames}
                value={frameIndex + 1}
                onChange={(e) => setFrameIndex(Number(e.target.value) - 1)}
              />
            </label>
          </fieldset>
        )}
      </aside>
    </div>
  );
}

function DicomTagList({ image }: { image: DicomImage }) {
  const { tags } = image;
  const rows: [string, string][] = [
    ['Patient', tags.patientName],
    ['Patient ID', tags.patientId],
    ['Birth date', tags.patientBirthDate],
    ['Sex', tags.patientSex],
    ['Study date', tags.studyDate],
    ['Study', tags.studyDescription],
    ['Series', tags.seriesDescription],
    ['Modality', tags.modality],
    ['Institution', tags.institutionName],
    ['Accession', tags.accessionNumber],
    ['Size', `${image.columns} × ${image.rows}, ${image.bitsStored}-bit`],
    ['Transfer syntax', image.transferSyntaxName],
  ];
  return (
    <dl className="dicom-tags" aria-label="Patient and study">
      {rows
        .filter(([, value]) => value !== '')
        .map(([name, value]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>{value}</dd>
          </div>
        ))}
    </dl>
  );
}
