// Decides what a file is from its first bytes, never from its name: names and MIME types are
// claims a sender makes, the bytes are what a viewer will actually parse. Three questions, each
// its own function: is it a program, is it a type we accept, and if neither, what is it.
import { FILE_TYPES } from './known-types.js';
import type { DetectedType } from './types.js';

/**
 * How many leading bytes the sniffers need: the DICOM marker sits at 128, ISO-BMFF brand lists
 * are short, and the text check wants a few kilobytes to judge.
 */
export const HEAD_BYTES = 4100;

const ascii = (head: Uint8Array, start: number, length: number): string =>
  String.fromCharCode(...head.subarray(start, start + length));

const startsWith = (head: Uint8Array, bytes: readonly number[], at = 0): boolean =>
  head.length >= at + bytes.length && bytes.every((b, i) => head[at + i] === b);

const u32be = (head: Uint8Array, at: number): number =>
  ((head[at]! << 24) | (head[at + 1]! << 16) | (head[at + 2]! << 8) | head[at + 3]!) >>> 0;

const u32le = (head: Uint8Array, at: number): number =>
  (head[at]! | (head[at + 1]! << 8) | (head[at + 2]! << 16) | (head[at + 3]! << 24)) >>> 0;

/** The type we accept that these bytes are, or undefined. Plain text is checked last. */
export function detectType(head: Uint8Array): DetectedType | undefined {
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46, 0x2d])) return FILE_TYPES.pdf;
  if (startsWith(head, [0xff, 0xd8, 0xff])) return FILE_TYPES.jpeg;
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return FILE_TYPES.png;
  if (isTiff(head)) return FILE_TYPES.tiff;
  if (head.length >= 12 && ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WEBP') {
    return FILE_TYPES.webp;
  }
  if (head.length >= 132 && ascii(head, 128, 4) === 'DICM') return FILE_TYPES.dicom;
  const bmff = isoMediaType(head);
  if (bmff !== undefined) return bmff;
  // RTF is ASCII too, but shown as plain text it would be markup soup.
  if (isPlainText(head) && !isRtf(head)) return FILE_TYPES.text;
  return undefined;
}

const isRtf = (head: Uint8Array): boolean => ascii(head, 0, 5) === '{\\rtf';

/** Little- and big-endian TIFF, and BigTIFF, which libvips also reads. */
function isTiff(head: Uint8Array): boolean {
  return (
    startsWith(head, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(head, [0x4d, 0x4d, 0x00, 0x2a]) ||
    startsWith(head, [0x49, 0x49, 0x2b, 0x00]) ||
    startsWith(head, [0x4d, 0x4d, 0x00, 0x2b])
  );
}

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis']);
/** Generic HEIF brands: HEIC when no AVIF brand says otherwise. */
const HEIF_BRANDS = new Set(['mif1', 'msf1']);
const AVIF_BRANDS = new Set(['avif', 'avis']);
const MP4_BRANDS = new Set([
  'isom',
  'iso2',
  'iso3',
  'iso4',
  'iso5',
  'iso6',
  'mp41',
  'mp42',
  'mp71',
  'avc1',
  'M4V ',
  'M4VH',
  'M4VP',
  'f4v ',
  'dash',
  'MSNV',
]);
/** Atoms a pre-ftyp QuickTime movie may start with. */
const QUICKTIME_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

/** ISO base media files (HEIC photos, MP4 and QuickTime video) told apart by their brands. */
function isoMediaType(head: Uint8Array): DetectedType | undefined {
  if (head.length < 12) return undefined;
  const boxType = ascii(head, 4, 4);
  if (boxType !== 'ftyp') {
    return QUICKTIME_ATOMS.has(boxType) && u32be(head, 0) >= 8 ? FILE_TYPES.quicktime : undefined;
  }
  const brands = ftypBrands(head);
  const [major] = brands;
  if (major === undefined || AVIF_BRANDS.has(major)) return undefined;
  if (HEIC_BRANDS.has(major)) return FILE_TYPES.heic;
  if (major === 'qt  ') return FILE_TYPES.quicktime;
  if (MP4_BRANDS.has(major)) return FILE_TYPES.mp4;
  if (brands.some((b) => AVIF_BRANDS.has(b))) return undefined;
  if (HEIF_BRANDS.has(major) || brands.some((b) => HEIC_BRANDS.has(b))) return FILE_TYPES.heic;
  // Cameras put their own major brand first (Sony's XAVC, for one) and list mp42 after it.
  if (brands.some((b) => MP4_BRANDS.has(b))) return FILE_TYPES.mp4;
  return undefined;
}

/** Major brand first, then the compatible brands, as far as the box and the head reach. */
function ftypBrands(head: Uint8Array): string[] {
  const boxEnd = Math.min(u32be(head, 0), head.length);
  const brands = [ascii(head, 8, 4)];
  for (let at = 16; at + 4 <= boxEnd; at += 4) brands.push(ascii(head, at, 4));
  return brands;
}

/** Characters below space that real text files contain. */
const TEXT_CONTROLS = new Set([0x09, 0x0a, 0x0c, 0x0d]);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Valid UTF-8 (the head may end inside a character), no NUL, and at most 1% other control
 * characters: binary formats fail one of these within a few bytes.
 */
function isPlainText(head: Uint8Array): boolean {
  if (head.length === 0 || head.includes(0)) return false;
  let controls = 0;
  for (const byte of head) {
    if ((byte < 0x20 && !TEXT_CONTROLS.has(byte)) || byte === 0x7f) controls++;
  }
  if (controls > head.length / 100) return false;
  return isUtf8AllowingCutEnd(head);
}

function isUtf8AllowingCutEnd(head: Uint8Array): boolean {
  for (let cut = 0; cut <= 3 && cut < head.length; cut++) {
    try {
      utf8.decode(head.subarray(0, head.length - cut));
      return true;
    } catch {
      // A multi-byte character cut off by the head's end is still text; try without its bytes.
    }
  }
  return false;
}

/**
 * If these bytes are a program or script, what kind ("a Windows program"); else undefined.
 * Checked before the accepted types so the user hears "this is a program", not "unknown".
 */
export function detectExecutable(head: Uint8Array): string | undefined {
  if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46])) return 'a Linux program (ELF)';
  if (startsWith(head, [0x23, 0x21])) return 'a script (it starts with #!)';
  if (ascii(head, 0, 2) === 'MZ') return windowsProgram(head);
  const magic = head.length >= 8 ? u32be(head, 0) : 0;
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe].includes(magic)) {
    return 'a macOS program (Mach-O)';
  }
  if (magic === 0xcafebabe || magic === 0xcafebabf) {
    // The same magic starts Java class files; universal binaries list few architectures,
    // class files a version number of 45 or more.
    return u32be(head, 4) < 45
      ? 'a macOS universal program (Mach-O)'
      : 'a Java program (class file)';
  }
  return undefined;
}

/** "MZ" alone is also how a text file might start, so ask for the PE header or binary content. */
function windowsProgram(head: Uint8Array): string | undefined {
  const peOffset = head.length >= 0x40 ? u32le(head, 0x3c) : -1;
  if (peOffset >= 0 && startsWith(head, [0x50, 0x45, 0x00, 0x00], peOffset)) {
    return 'a Windows program';
  }
  return isPlainText(head) ? undefined : 'a Windows or DOS program';
}

/** Formats people send by mistake, named so the message can say what the file looked like. */
const LOOKALIKES: readonly { test: (head: Uint8Array) => boolean; label: string }[] = [
  {
    test: (h) => startsWith(h, [0x50, 0x4b, 0x03, 0x04]) || startsWith(h, [0x50, 0x4b, 0x05, 0x06]),
    label: 'a ZIP archive (Word, Excel and other Office files are ZIP archives too)',
  },
  {
    test: (h) => startsWith(h, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
    label: 'an older Microsoft Office file (.doc, .xls)',
  },
  { test: isRtf, label: 'an RTF document' },
  { test: (h) => ascii(h, 0, 4) === 'GIF8', label: 'a GIF image' },
  {
    test: (h) => ascii(h, 0, 2) === 'BM' && h.length >= 18 && isBmpHeader(h),
    label: 'a BMP image',
  },
  {
    test: (h) =>
      h.length >= 12 && ascii(h, 4, 4) === 'ftyp' && ftypBrands(h).some((b) => AVIF_BRANDS.has(b)),
    label: 'an AVIF image',
  },
  {
    test: (h) => startsWith(h, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]),
    label: 'a JPEG 2000 image',
  },
  { test: (h) => ascii(h, 0, 4) === 'RIFF' && ascii(h, 8, 4) === 'AVI ', label: 'an AVI video' },
  {
    test: (h) => ascii(h, 0, 4) === 'RIFF' && ascii(h, 8, 4) === 'WAVE',
    label: 'a WAV audio file',
  },
  { test: (h) => startsWith(h, [0x1a, 0x45, 0xdf, 0xa3]), label: 'a Matroska or WebM video' },
  { test: (h) => ascii(h, 0, 3) === 'ID3', label: 'an MP3 audio file' },
  { test: (h) => ascii(h, 0, 6) === 'Rar!\x1a\x07', label: 'a RAR archive' },
  { test: (h) => startsWith(h, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]), label: 'a 7-Zip archive' },
  { test: (h) => startsWith(h, [0x1f, 0x8b]), label: 'a gzip archive' },
  {
    test: (h) => startsWith(h, [0xff, 0xfe]) || startsWith(h, [0xfe, 0xff]),
    label: 'UTF-16 text (save it as UTF-8 text)',
  },
];

/** The BITMAPINFOHEADER family has one of a few fixed sizes, which random "BM…" text does not. */
function isBmpHeader(head: Uint8Array): boolean {
  return [12, 40, 52, 56, 64, 108, 124].includes(u32le(head, 14));
}

/** What an unaccepted file looks like ("a ZIP archive"), when we can tell. */
export function describeContent(head: Uint8Array): string | undefined {
  return LOOKALIKES.find((l) => l.test(head))?.label;
}
