// The annotated copy of a document: its bytes fetched with a signed URL and checked against the
// recorded SHA-256, its annotations burned in (./annotated-pdf.ts), the PDF written whole (never
// a torn file) under a name of its own in the exports folder.
import { createHash } from 'node:crypto';
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Annotation } from '../../../shared/api/annotations.js';
import type { DocumentReference } from '../../../shared/api/schemas.js';
import type { AnnotationExport } from '../../../shared/ipc/records.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { burnInAnnotations, canBurnIn } from './annotated-pdf.js';
import { RecordsError } from './errors.js';

const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;

export interface AnnotatedExportOptions {
  fetch: typeof globalThis.fetch;
  dir: string;
}

export class AnnotatedExport {
  constructor(private readonly o: AnnotatedExportOptions) {}

  async write(
    document: DocumentReference,
    url: string,
    annotations: readonly Annotation[],
  ): Promise<AnnotationExport> {
    if (!canBurnIn(document.contentType)) {
      throw new RecordsError(
        'unsupported_media_type',
        `“${document.title}” is a ${document.contentType} file; only PDFs and images can be exported with their annotations.`,
      );
    }
    const bytes = await this.download(document, url);
    let burned;
    try {
      burned = await burnInAnnotations(bytes, document.contentType, annotations);
    } catch (error) {
      throw new RecordsError(
        'export_failed',
        `“${document.title}” could not be read to draw its annotations on (${(error as Error).message}), so no annotated copy was made.`,
      );
    }
    await mkdir(this.o.dir, { recursive: true });
    const target = await freePath(this.o.dir, `${safeName(document.title)} (annotated).pdf`);
    await writeFileAtomic(target, burned.pdf);
    return {
      path: target,
      fileName: path.basename(target),
      annotations: annotations.length - burned.omitted,
      omitted: burned.omitted,
    };
  }

  private async download(document: DocumentReference, url: string): Promise<Uint8Array> {
    let response: Response;
    try {
      response = await this.o.fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
    } catch (error) {
      throw new RecordsError(
        'offline',
        `The file of “${document.title}” could not be downloaded (${(error as Error).message}). Check the connection and try again.`,
      );
    }
    if (!response.ok) {
      throw new RecordsError(
        'download_failed',
        `The file of “${document.title}” could not be downloaded: the server answered HTTP ${response.status}. Try again.`,
      );
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== document.sha256) {
      throw new RecordsError(
        'download_failed',
        `The downloaded file of “${document.title}” is not the one stored (its checksum differs), so no annotated copy was made. Try again.`,
      );
    }
    return bytes;
  }
}

/** A file name every desktop accepts, from a document title. */
function safeName(title: string): string {
  const name = [...title]
    .map((c) => (c.charCodeAt(0) < 32 || '\\/:*?"<>|'.includes(c) ? '_' : c))
    .join('')
    .replace(/^[\s.]+|[\s.]+$/g, '')
    .slice(0, 120);
  return name || 'document';
}

/** `dir/name`, or `dir/name (2)`, `(3)`… when that exists: an export never replaces a file. */
async function freePath(dir: string, fileName: string): Promise<string> {
  const ext = path.extname(fileName);
  const stem = fileName.slice(0, fileName.length - ext.length);
  for (let n = 1; ; n++) {
    const candidate = path.join(dir, n === 1 ? fileName : `${stem} (${n})${ext}`);
    try {
      await access(candidate);
    } catch {
      return candidate;
    }
  }
}
