// Reads a DICOM Part 10 header (everything before the pixel data) from the start of the file
// only: imaging studies run to gigabytes, and the header is almost always in the first kilobytes.
import type { FileHandle } from 'node:fs/promises';
import { constants as zlibConstants, inflateRawSync } from 'node:zlib';
import dicomParser, { type DataSet } from 'dicom-parser';

/** How much of the file the header may occupy before we stop reading. */
const DICOM_HEADER_BYTES = 4 * 1024 * 1024;

export const TRANSFER_SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflated: '1.2.840.10008.1.2.1.99',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
} as const;

export interface DicomHeader {
  dataSet: DataSet;
  transferSyntax: string;
  /**
   * Where the pixel data's value starts in the file, and its length (undefined when
   * encapsulated). For the deflated transfer syntax the offset counts inflated bytes instead.
   */
  pixelData: { offset: number; length: number | undefined } | undefined;
  /**
   * False when an element before the pixel data runs past the bytes read (an embedded PDF or a
   * large private block); the file meta information and what came before it did parse.
   */
  complete: boolean;
}

/** A header that cannot be parsed; the message says what dicom-parser found wrong. */
export class DicomHeaderError extends Error {
  override name = 'DicomHeaderError';
}

const PIXEL_DATA = 'x7fe00010';

export async function readDicomHeader(file: FileHandle, size: number): Promise<DicomHeader> {
  const length = Math.min(size, DICOM_HEADER_BYTES);
  const head = Buffer.alloc(length);
  await file.read(head, 0, length, 0);
  const partial = length < size;
  try {
    return describe(parse(head, partial), true);
  } catch (error) {
    const parsedSoFar = (error as { dataSet?: DataSet } | null)?.dataSet;
    if (partial && parsedSoFar?.elements['x00020010'] !== undefined) {
      return describe(parsedSoFar, false);
    }
    throw new DicomHeaderError(parserMessage(error));
  }
}

function parse(head: Buffer, partial: boolean): DataSet {
  return dicomParser.parseDicom(head, {
    untilTag: PIXEL_DATA,
    // A deflated data set cut off by our read window ends mid-stream: inflate what is there.
    inflater: (bytes: Uint8Array, position: number) => {
      const inflated = inflateRawSync(bytes.subarray(position), {
        finishFlush: partial ? zlibConstants.Z_SYNC_FLUSH : zlibConstants.Z_FINISH,
      });
      return Buffer.concat([bytes.subarray(0, position), inflated]);
    },
  });
}

function describe(dataSet: DataSet, complete: boolean): DicomHeader {
  const transferSyntax = dataSet.string('x00020010') ?? '';
  if (transferSyntax === '') throw new DicomHeaderError('it has no transfer syntax');
  const element = dataSet.elements[PIXEL_DATA];
  const pixelData =
    element === undefined
      ? undefined
      : {
          offset: element.dataOffset,
          length: element.hadUndefinedLength ? undefined : element.length,
        };
  return { dataSet, transferSyntax, pixelData, complete };
}

/** dicom-parser throws strings, Errors, or {exception, dataSet}; make one sentence of any. */
function parserMessage(error: unknown): string {
  const inner = (error as { exception?: unknown } | null)?.exception ?? error;
  const text = inner instanceof Error ? inner.message : String(inner);
  return text.replace(/^dicomParser[.:]\w+: /, '');
}

/** Rows, Columns and Number of Frames, when the header has them. */
export function imageSize(
  dataSet: DataSet,
): { width: number; height: number; frames: number } | undefined {
  const height = dataSet.uint16('x00280010');
  const width = dataSet.uint16('x00280011');
  if (height === undefined || width === undefined) return undefined;
  return { width, height, frames: dataSet.intString('x00280008') ?? 1 };
}
