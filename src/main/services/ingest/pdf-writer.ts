// Writes a pdf-lib document to a file, hashing it on the way. pdf-lib's own save() builds the
// whole file in one array and copies every stream byte by byte in JavaScript: for 100 scanned
// pages (170 MB of JPEG) that copy is three quarters of the assembly time and doubles the memory.
// Here the same objects are serialised by pdf-lib, but stream contents (the page images) go to
// the file as they are — straight from their own files for FileImageStreams — and the hash is
// computed as the bytes pass.
import { createHash, type Hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import {
  PDFCrossRefSection,
  PDFHeader,
  PDFStream,
  PDFTrailer,
  PDFTrailerDict,
  type PDFContext,
  type PDFDict,
  type PDFDocument,
} from 'pdf-lib';
import { writeFully } from './staging.js';

/**
 * A stream whose bytes stay in a file until writePdf copies them into the PDF: page images of a
 * scan, so assembling does not hold every page in memory. The file must not change meanwhile.
 */
export class FileImageStream extends PDFStream {
  constructor(
    dict: PDFDict,
    readonly path: string,
    readonly size: number,
  ) {
    super(dict);
  }

  override getContentsSize(): number {
    return this.size;
  }

  /** For pdf-lib's own save() and copying; writePdf streams the file instead. */
  override getContents(): Uint8Array {
    return readFileSync(this.path);
  }

  override getContentsString(): string {
    return Buffer.from(this.getContents()).toString('latin1');
  }

  override clone(context?: PDFContext): FileImageStream {
    return new FileImageStream(this.dict.clone(context), this.path, this.size);
  }
}

/** Small pieces (object headers, dictionaries) are gathered into writes of about this size. */
const BATCH_BYTES = 256 * 1024;
const COPY_CHUNK = 1024 * 1024;

interface Serialisable {
  sizeInBytes(): number;
  copyBytesInto(buffer: Uint8Array, offset: number): number;
}

const bytesOf = (object: Serialisable): Uint8Array => {
  const buffer = new Uint8Array(object.sizeInBytes());
  object.copyBytesInto(buffer, 0);
  return buffer;
};

const ascii = (text: string): Uint8Array => Buffer.from(text, 'latin1');

/**
 * Copies a file-backed stream's bytes into the PDF through two reused buffers: the next chunk is
 * read while this one is written and hashed, and no chunk is allocated (100 pages of fresh
 * megabyte buffers keep the garbage collector busier than the copy itself).
 */
async function copyInto(
  out: FileHandle,
  hash: Hash,
  stream: FileImageStream,
  buffers: readonly [Buffer, Buffer],
): Promise<number> {
  const input = await open(stream.path, 'r');
  let [filling, spare] = buffers;
  let reading = input.read(filling, 0, COPY_CHUNK, 0);
  try {
    let copied = 0;
    for (;;) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      const chunk = filling.subarray(0, bytesRead);
      copied += bytesRead;
      [filling, spare] = [spare, filling];
      reading = input.read(filling, 0, COPY_CHUNK, copied);
      const writing = writeFully(out, chunk);
      hash.update(chunk);
      await writing;
    }
    if (copied !== stream.size) {
      throw new Error(
        `${stream.path} changed while the PDF was written (${copied} bytes, not ${stream.size})`,
      );
    }
    return copied;
  } finally {
    // A read may still be under way if the write failed; let it end before closing its file.
    await reading.catch(() => undefined);
    await input.close();
  }
}

/** Writes `doc` to `target` (fsynced) and returns the file's SHA-256 and size. */
export async function writePdf(
  doc: PDFDocument,
  target: string,
): Promise<{ sha256: string; size: number }> {
  await doc.flush();
  const { context } = doc;
  const hash = createHash('sha256');
  const file = await open(target, 'w');
  let offset = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const copyBuffers = [Buffer.allocUnsafe(COPY_CHUNK), Buffer.allocUnsafe(COPY_CHUNK)] as const;

  const drain = async (): Promise<void> => {
    if (pending.length === 0) return;
    await writeFully(file, pending.length === 1 ? pending[0]! : Buffer.concat(pending));
    pending = [];
    pendingBytes = 0;
  };
  const emit = async (bytes: Uint8Array): Promise<void> => {
    offset += bytes.length;
    if (bytes.length >= BATCH_BYTES) {
      await drain();
      // The write runs on libuv's thread pool while this thread hashes the same bytes.
      const writing = writeFully(file, bytes);
      hash.update(bytes);
      await writing;
      return;
    }
    hash.update(bytes);
    pending.push(bytes);
    pendingBytes += bytes.length;
    if (pendingBytes >= BATCH_BYTES) await drain();
  };

  try {
    await emit(bytesOf(PDFHeader.forVersion(1, 7)));
    await emit(ascii('\n\n'));
    const xref = PDFCrossRefSection.create();
    for (const [ref, object] of context.enumerateIndirectObjects()) {
      xref.addEntry(ref, offset);
      await emit(ascii(`${ref.objectNumber} ${ref.generationNumber} obj\n`));
      if (object instanceof PDFStream) {
        object.updateDict();
        await emit(bytesOf(object.dict));
        await emit(ascii('\nstream\n'));
        if (object instanceof FileImageStream) {
          await drain();
          offset += await copyInto(file, hash, object, copyBuffers);
        } else {
          await emit(object.getContents());
        }
        await emit(ascii('\nendstream'));
      } else {
        await emit(bytesOf(object));
      }
      await emit(ascii('\nendobj\n\n'));
    }
    const xrefOffset = offset;
    await emit(bytesOf(xref));
    await emit(ascii('\n'));
    const { Root, Encrypt, Info, ID } = context.trailerInfo;
    const trailer = context.obj({ Size: context.largestObjectNumber + 1, Root, Encrypt, Info, ID });
    await emit(bytesOf(PDFTrailerDict.of(trailer)));
    await emit(ascii('\n\n'));
    await emit(bytesOf(PDFTrailer.forLastCrossRefSectionOffset(xrefOffset)));
    await drain();
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(target, { force: true });
    throw error;
  }
  await file.close();
  return { sha256: hash.digest('hex'), size: offset };
}
