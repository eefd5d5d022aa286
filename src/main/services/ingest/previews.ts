// Thumbnails and blank flags for whole files and for single pages. Pictures and first pages are
// the shared makeThumbnail's job; a PDF's other pages are each copied (not re-encoded) into a
// one-page PDF that makeThumbnail then draws, so scanned pages take its fast JPEG path and
// everything else goes through pdf.js exactly as first pages do.
import { readFile, rm } from 'node:fs/promises';
import { ParseSpeeds, PDFDocument } from 'pdf-lib';
import { FILE_TYPES } from '../../../shared-node/files/known-types.js';
import { makeThumbnail } from '../../../shared-node/files/thumbnails.js';
import type { DetectedType, ThumbnailResult } from '../../../shared-node/files/types.js';
import { looksBlank } from './blank.js';
import type { Thumbnail } from '../../../shared/ingest/model.js';
import { writePdf } from './pdf-writer.js';
import type { Holds, StagingStore } from './staging.js';

export interface Preview {
  thumbnail: Thumbnail;
  blank: boolean;
}

/** Thumbnail (kept in the staging store) and blank flag of a picture or of a PDF's first page. */
export async function previewFile(
  staging: StagingStore,
  holds: Holds,
  path: string,
  type: DetectedType,
): Promise<Preview> {
  return keep(staging, holds, await makeThumbnail(path, type));
}

async function keep(
  staging: StagingStore,
  holds: Holds,
  result: ThumbnailResult,
): Promise<Preview> {
  if (result.status !== 'ready') {
    return { thumbnail: { status: result.status, reason: result.reason }, blank: false };
  }
  const [file, blank] = await Promise.all([
    staging.put(result.jpeg, 'jpg', holds),
    looksBlank(result.jpeg, result.width, result.height),
  ]);
  return {
    thumbnail: { status: 'ready', file, width: result.width, height: result.height },
    blank,
  };
}

/**
 * One preview per page of the PDF at `path`, in page order, or why its pages cannot be edited
 * (encrypted or damaged beyond pdf-lib): such a PDF is kept and filed whole.
 */
export async function previewPdfPages(
  staging: StagingStore,
  holds: Holds,
  path: string,
  signal?: AbortSignal,
): Promise<{ previews: Preview[] } | { notEditable: string }> {
  const loaded = await loadForEditing(new Uint8Array(await readFile(path)));
  if ('notEditable' in loaded) return loaded;
  const source = loaded.doc;
  const previews: Preview[] = [];
  for (const index of source.getPageIndices()) {
    signal?.throwIfAborted();
    const single = await PDFDocument.create({ updateMetadata: false });
    const [page] = await single.copyPages(source, [index]);
    single.addPage(page);
    const onePage = staging.tempPath('pdf');
    try {
      await writePdf(single, onePage);
      previews.push(await keep(staging, holds, await makeThumbnail(onePage, FILE_TYPES.pdf)));
    } finally {
      await rm(onePage, { force: true });
    }
  }
  return { previews };
}

/**
 * pdf-lib's view of a PDF for copying pages, or why it cannot have one. validateFile (pdf.js)
 * has accepted the file already, so a refusal here only means its pages cannot be edited.
 */
export async function loadForEditing(
  bytes: Uint8Array,
): Promise<{ doc: PDFDocument } | { notEditable: string }> {
  try {
    const doc = await PDFDocument.load(bytes, {
      updateMetadata: false,
      parseSpeed: ParseSpeeds.Fastest,
      // Otherwise pdf-lib logs each damaged object to the console and carries on.
      throwOnInvalidObject: true,
    });
    return { doc };
  } catch (error) {
    const encrypted = error instanceof Error && error.name === 'EncryptedPDFError';
    return {
      notEditable: encrypted
        ? 'the PDF is encrypted'
        : `its structure cannot be read for editing (${(error as Error).message})`,
    };
  }
}
