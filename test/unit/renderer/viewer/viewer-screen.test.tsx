// @vitest-environment jsdom
// The viewer screen as a user meets it: it opens the document through window.api (a signed URL,
// never a token), shows the view its type needs with the annotation tools, steps to the next and
// previous document by keyboard, and says clearly what it cannot show. DICOM files are real ones
// made by dcmtk; the signed URL is served by a fetch that reads them.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { RemoteError } from '../../../../src/shared/ipc/wire.js';
import { useAnnotations } from '../../../../src/renderer/src/features/annotations/store.js';
import { useNavigation } from '../../../../src/renderer/src/features/shell/navigation.js';
import {
  ViewerScreen,
  viewKind,
} from '../../../../src/renderer/src/features/viewer/ViewerScreen.js';
import { useViewer } from '../../../../src/renderer/src/features/viewer/store.js';

const PATIENT = randomUUID();
const IDS = [randomUUID(), randomUUID(), randomUUID()];
const SIGNED = 'http://127.0.0.1:4000/api/v1/files/signed?sig=abc';

interface FakeDocument {
  title: string;
  contentType: string;
  fileName?: string;
  bytes?: Uint8Array;
}

let dir: string;
const files: Record<string, Uint8Array> = {};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'viewer-screen-'));
  const run = (command: string, args: string[]) => execFileSync(command, args, { cwd: dir });
  run('convert', [
    '-size',
    '32x16',
    'gradient:black-white',
    '-type',
    'Palette',
    '-colors',
    '256',
    '-compress',
    'none',
    'BMP3:g.bmp',
  ]);
  run('img2dcm', [
    '-i',
    'BMP',
    'g.bmp',
    'plain.dcm',
    '-k',
    'PatientName=Doe^Jane',
    '-k',
    'PatientID=MRN-0042',
    '-k',
    'StudyDate=20240131',
    '-k',
    'Modality=CR',
  ]);
  run('dcmcjpls', ['plain.dcm', 'jpegls.dcm']);
  for (const name of ['plain.dcm', 'jpegls.dcm'])
    files[name] = new Uint8Array(readFileSync(path.join(dir, name)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const initialNavigation = useNavigation.getState();
const initialAnnotations = useAnnotations.getState();

function installApi(documents: Record<string, FakeDocument | Error>) {
  const api = {
    openDocument: vi.fn(async ({ id }: { id: string }) => {
      const entry = documents[id];
      if (!entry) throw new RemoteError('No such document.', 'not_found');
      if (entry instanceof Error) throw entry;
      return {
        document: {
          id,
          title: entry.title,
          contentType: entry.contentType,
          fileName: entry.fileName,
        },
        url: `${SIGNED}&id=${id}`,
        expiresAt: '2026-11-28T10:00:00.000Z',
      };
    }),
    listAnnotations: vi.fn(async () => []),
  };
  (window as unknown as { api: typeof api }).api = api;
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      const id = new URL(url).searchParams.get('id') ?? '';
      const entry = documents[id];
      const bytes = entry && !(entry instanceof Error) ? entry.bytes : undefined;
      return bytes
        ? new Response(bytes.slice())
        : new Response('gone', { status: 403, statusText: 'Forbidden' });
    }),
  );
  return api;
}

beforeEach(() => {
  useNavigation.setState(initialNavigation, true);
  useAnnotations.setState(initialAnnotations, true);
  useViewer.getState().reset();
  useNavigation.getState().go({ screen: 'patient', patientId: PATIENT });
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function openViewer(documentId: string) {
  useNavigation.getState().go({ screen: 'viewer', patientId: PATIENT, documentId, siblings: IDS });
  return render(<ViewerScreen patientId={PATIENT} documentId={documentId} siblings={IDS} />);
}

describe('viewer screen', () => {
  it('opens an image from its signed URL with zoom, rotation and the annotation tools', async () => {
    const api = installApi({
      [IDS[0]!]: { title: 'Wound, left ankle', contentType: 'image/jpeg' },
    });
    const { container } = openViewer(IDS[0]!);
    expect(await screen.findByRole('heading', { name: 'Wound, left ankle' })).toBeTruthy();
    expect(api.openDocument).toHaveBeenCalledWith({ id: IDS[0] });

    // The upright size comes from the loaded picture (EXIF orientation already applied).
    const probe = container.querySelector('img.image-probe') as HTMLImageElement;
    expect(probe.src).toBe(`${SIGNED}&id=${IDS[0]}`);
    Object.defineProperty(probe, 'naturalWidth', { value: 300 });
    Object.defineProperty(probe, 'naturalHeight', { value: 200 });
    fireEvent.load(probe);

    expect(await screen.findByRole('img', { name: 'Wound, left ankle' })).toBeTruthy();
    expect(screen.getByRole('img', { name: 'Annotations on page 1: none' })).toBeTruthy();
    const view = screen.getByRole('group', { name: 'View' });
    for (const name of ['Zoom in', 'Zoom out', 'Fit', 'Rotate left', 'Rotate right'])
      expect(within(view).getByRole('button', { name })).toBeTruthy();
    fireEvent.click(within(view).getByRole('button', { name: 'Rotate right' }));
    expect(useViewer.getState().rotation).toBe(90);
    fireEvent.click(within(view).getByRole('button', { name: 'Zoom in' }));
    expect(useViewer.getState().zoom).not.toBe('fit');
    expect(screen.getByRole('toolbar', { name: 'Annotation tools' })).toBeTruthy();
  });

  it('renews an image’s expired signed URL once, then says it could not be loaded', async () => {
    let opened = 0;
    const api = installApi({ [IDS[0]!]: { title: 'Rash', contentType: 'image/jpeg' } });
    const original = api.openDocument.getMockImplementation()!;
    api.openDocument.mockImplementation(async (input) => {
      const answer = await original(input);
      opened += 1;
      return { ...answer, url: `${answer.url}&n=${opened}` };
    });
    const { container } = openViewer(IDS[0]!);
    await screen.findByRole('heading', { name: 'Rash' });
    const probe = () => container.querySelector('img.image-probe') as HTMLImageElement;
    expect(probe().getAttribute('src')).toMatch(/&n=1$/);
    fireEvent.error(probe());
    await waitFor(() => expect(probe().getAttribute('src')).toMatch(/&n=2$/));
    expect(screen.queryByRole('alert')).toBeNull();
    fireEvent.error(probe());
    expect((await screen.findByRole('alert')).textContent).toMatch(/could not be loaded/);
    expect(api.openDocument).toHaveBeenCalledTimes(2);
  });

  it('steps to the next and previous document by keyboard, and Back returns to the list', async () => {
    installApi({
      [IDS[0]!]: { title: 'First', contentType: 'image/png' },
      [IDS[1]!]: { title: 'Second', contentType: 'image/png' },
    });
    const view = openViewer(IDS[0]!);
    await screen.findByRole('heading', { name: 'First' });
    expect(screen.getByRole('button', { name: 'Previous document' })).toHaveProperty(
      'disabled',
      true,
    );
    expect(screen.getByText('1 of 3')).toBeTruthy();

    fireEvent.keyDown(window, { key: ']' });
    expect(useNavigation.getState().route).toMatchObject({ screen: 'viewer', documentId: IDS[1] });
    view.rerender(<ViewerScreen patientId={PATIENT} documentId={IDS[1]!} siblings={IDS} />);
    await screen.findByRole('heading', { name: 'Second' });

    fireEvent.keyDown(window, { key: 'ArrowLeft', altKey: true });
    expect(useNavigation.getState().route).toMatchObject({ documentId: IDS[0] });
    // Stepping does not pile up history: one Back returns to the patient's documents.
    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    expect(useNavigation.getState().route).toEqual({ screen: 'patient', patientId: PATIENT });
  });

  it('does not take the keys of someone typing a note', async () => {
    installApi({ [IDS[0]!]: { title: 'First', contentType: 'image/png' } });
    openViewer(IDS[0]!);
    await screen.findByRole('heading', { name: 'First' });
    const input = document.createElement('input');
    document.body.append(input);
    fireEvent.keyDown(input, { key: ']' });
    expect(useNavigation.getState().route).toMatchObject({ documentId: IDS[0] });
    input.remove();
  });

  it('shows a DICOM image with its patient and study tags and window/level controls', async () => {
    installApi({
      [IDS[0]!]: {
        title: 'Chest X-ray',
        contentType: 'application/dicom',
        fileName: 'chest.dcm',
        bytes: files['plain.dcm'],
      },
    });
    openViewer(IDS[0]!);
    const details = await screen.findByLabelText('Patient and study');
    expect(details.textContent).toContain('Jane Doe');
    expect(details.textContent).toContain('MRN-0042');
    expect(details.textContent).toContain('2024-01-31');
    expect(details.textContent).toContain('CR');
    expect(screen.getByRole('img', { name: 'DICOM image, frame 1 of 1' })).toBeTruthy();
    expect(await screen.findByLabelText('Window width')).toBeTruthy();
    expect(screen.getByLabelText('Window preset')).toBeTruthy();
  });

  it('names the transfer syntax of a DICOM file it cannot decode instead of a blank canvas', async () => {
    installApi({
      [IDS[0]!]: {
        title: 'CT head',
        contentType: 'application/dicom',
        bytes: files['jpegls.dcm'],
      },
    });
    openViewer(IDS[0]!);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('JPEG-LS Lossless (1.2.840.10008.1.2.4.80)');
    expect(alert.textContent).toContain('cannot display');
    expect(screen.queryByRole('img', { name: /DICOM image/ })).toBeNull();
  });

  it('plays a video from its signed URL', async () => {
    installApi({ [IDS[0]!]: { title: 'Gait study', contentType: 'video/mp4' } });
    const { container } = openViewer(IDS[0]!);
    await screen.findByRole('heading', { name: 'Gait study' });
    const video = container.querySelector('video');
    expect(video?.getAttribute('src')).toBe(`${SIGNED}&id=${IDS[0]}`);
    expect(video?.getAttribute('aria-label')).toBe('Video: Gait study');
    expect(video?.hasAttribute('controls')).toBe(true);
  });

  it('asks for a fresh signed URL when the video’s has expired, and keeps the position', async () => {
    const api = installApi({ [IDS[0]!]: { title: 'Gait study', contentType: 'video/mp4' } });
    const { container } = openViewer(IDS[0]!);
    await screen.findByRole('heading', { name: 'Gait study' });
    const video = container.querySelector('video') as HTMLVideoElement;
    api.openDocument.mockImplementationOnce(async ({ id }) => ({
      document: { id, title: 'Gait study', contentType: 'video/mp4', fileName: undefined },
      url: `${SIGNED}&id=${id}&fresh=1`,
      expiresAt: '2026-11-28T11:00:00.000Z',
    }));
    video.currentTime = 42;
    fireEvent.error(video);
    await waitFor(() => expect(video.getAttribute('src')).toBe(`${SIGNED}&id=${IDS[0]}&fresh=1`));
    expect(api.openDocument).toHaveBeenCalledTimes(2);
    video.currentTime = 0; // the new source starts from the beginning…
    fireEvent.loadedMetadata(video);
    expect(video.currentTime).toBe(42); // …and the viewer puts it back where it was
    expect(screen.queryByRole('alert')).toBeNull();

    // A second failure right after is not an expired link: say so.
    fireEvent.error(video);
    expect((await screen.findByRole('alert')).textContent).toMatch(/could not be played/);
  });

  it('says why a document could not be opened', async () => {
    installApi({
      [IDS[0]!]: new RemoteError('The companion API is not reachable.', 'offline'),
    });
    openViewer(IDS[0]!);
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The document could not be opened: The companion API is not reachable.',
    );
  });

  it('picks the view by content type', () => {
    expect(viewKind('application/pdf')).toBe('pdf');
    expect(viewKind('application/dicom')).toBe('dicom');
    expect(viewKind('application/octet-stream', 'IM0001.DCM')).toBe('dicom');
    expect(viewKind('image/heic')).toBe('image');
    expect(viewKind('video/webm; codecs=vp9')).toBe('video');
    expect(viewKind('application/zip')).toBe('unsupported');
  });
});
