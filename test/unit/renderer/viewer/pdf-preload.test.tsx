// @vitest-environment jsdom
// Opening a PDF: the viewer's code is its own chunk, loaded (and warmed) before the first PDF
// is opened; once it is in, a PDF shows at once, with no loading step (React.lazy would suspend
// and hold the page back for its fallback throttle). Nothing is preloaded where no worker can
// run, and preloading never opens a document (an audited view). PdfViewer itself is a stand-in.
import { randomUUID } from 'node:crypto';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ViewerScreen } from '../../../../src/renderer/src/features/viewer/ViewerScreen.js';
import {
  isPdf,
  loadedPdfViewer,
  loadPdfViewer,
  preloadPdfViewer,
} from '../../../../src/renderer/src/features/viewer/preload.js';

vi.mock('../../../../src/renderer/src/features/viewer/PdfViewer.js', () => ({
  default: ({ url, title }: { url: string; title: string }) => (
    <p>
      PDF {title} from {url}
    </p>
  ),
}));

const ID = randomUUID();
const URL = 'http://127.0.0.1:4000/api/v1/files/signed?sig=abc';

function installApi() {
  const api = {
    openDocument: vi.fn(async ({ id }: { id: string }) => ({
      document: { id, title: 'Discharge letter', contentType: 'application/pdf' },
      url: URL,
      expiresAt: '2026-11-28T10:00:00.000Z',
    })),
    listAnnotations: vi.fn(async () => []),
  };
  (window as unknown as { api: typeof api }).api = api;
  return api;
}

afterEach(cleanup);

describe('PDF viewer preload', () => {
  it('knows a PDF by its content type', () => {
    expect(isPdf('application/pdf')).toBe(true);
    expect(isPdf('Application/PDF; charset=binary')).toBe(true);
    expect(isPdf('image/jpeg')).toBe(false);
  });

  it('preloads nothing where no worker can run, and opens no document', async () => {
    const api = installApi();
    expect(typeof Worker).toBe('undefined');
    await preloadPdfViewer();
    expect(loadedPdfViewer()).toBeUndefined();
    expect(api.openDocument).not.toHaveBeenCalled();
  });

  it('loads the viewer when a PDF is opened first, then shows later ones at once', async () => {
    const api = installApi();
    render(<ViewerScreen patientId={randomUUID()} documentId={ID} siblings={[ID]} />);
    expect(await screen.findByText(`PDF Discharge letter from ${URL}`)).toBeTruthy();
    expect(api.openDocument).toHaveBeenCalledTimes(1);
    expect(loadedPdfViewer()).toBeDefined();
    cleanup();

    // Loaded: the render right after the document opens shows the viewer, no loading step.
    await loadPdfViewer();
    render(<ViewerScreen patientId={randomUUID()} documentId={ID} siblings={[ID]} />);
    await act(async () => {
      await Promise.resolve();
    });
    expect(screen.queryByText('Loading the PDF viewer…')).toBeNull();
    expect(screen.getByText(`PDF Discharge letter from ${URL}`)).toBeTruthy();
  });
});
