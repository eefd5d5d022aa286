// File names as people and their computers send them: refuse the ones that could escape a
// folder, disguise their extension or break a download, and build the header that hands a name
// back to a browser safely.
import { typeOfExtension } from './known-types.js';
import { FileProblem, type DetectedType } from './types.js';

const MAX_NAME_BYTES = 255;

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
/** Embeddings, overrides and isolates reorder what follows them: "a\u202Egpj.exe" shows as "aexe.jpg". */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/u;
/** Windows opens these as devices whatever the extension: "CON.txt" is the console. */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;

/** The name, if it is safe to store and show; otherwise a bad_file_name FileProblem saying why. */
export function checkFileName(name: string): string {
  const reason = nameProblem(name);
  if (reason !== undefined) throw new FileProblem('bad_file_name', printableName(name), reason);
  return name;
}

function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the file has no name. Give it a name and try again.';
  if (/^[. ]+$/.test(name)) {
    return 'the name is only dots and spaces, which is not a file name. Rename the file.';
  }
  if (name.includes('/') || name.includes('\\')) {
    return 'the name contains a path separator (/ or \\), which could place the file outside its folder. Rename the file.';
  }
  const control = CONTROL.exec(name);
  if (control !== null) {
    return `the name contains a control character (${codePoint(control[0])}). Rename the file.`;
  }
  const bidi = BIDI_CONTROL.exec(name);
  if (bidi !== null) {
    return `the name contains an invisible text-direction character (${codePoint(bidi[0])}) that can disguise its real extension. Rename the file.`;
  }
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_NAME_BYTES) {
    return `the name is ${bytes} bytes long; at most ${MAX_NAME_BYTES} are allowed. Shorten it.`;
  }
  const stem = name.split('.')[0]!.trimEnd();
  if (WINDOWS_DEVICE.test(stem)) {
    return `"${stem}" is a reserved device name on Windows, so the file could not be saved there. Rename the file.`;
  }
  return undefined;
}

const codePoint = (char: string): string =>
  `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** The name with invisible and control characters spelled out, so a message cannot be spoofed by it. */
export function printableName(name: string): string {
  const hidden = new RegExp(`${CONTROL.source}|${BIDI_CONTROL.source}`, 'gu');
  return name.replace(hidden, (c) => `<${codePoint(c)}>`);
}

/** The extension after the last dot, lower-cased; none for "name" or ".hidden". */
export function extensionOf(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase() : undefined;
}

/** The type a name's extension claims (report.PDF → PDF document), or undefined. */
export function extensionType(name: string): DetectedType | undefined {
  const ext = extensionOf(name);
  return ext === undefined ? undefined : typeOfExtension(ext);
}

/** Extensions Windows or macOS run as a program when the file is opened after download. */
const PROGRAM_EXTENSIONS = new Set([
  'exe',
  'com',
  'scr',
  'pif',
  'bat',
  'cmd',
  'msi',
  'msp',
  'vbs',
  'vbe',
  'js',
  'jse',
  'wsf',
  'wsh',
  'ps1',
  'hta',
  'cpl',
  'lnk',
  'reg',
  'jar',
  'sh',
  'command',
  'app',
]);

/** The extension if opening a file so named would run it (notes.bat), else undefined. */
export function programExtension(name: string): string | undefined {
  const ext = extensionOf(name);
  return ext !== undefined && PROGRAM_EXTENSIONS.has(ext) ? ext : undefined;
}

const UNSAFE_IN_HEADER = new RegExp(`${CONTROL.source}|${BIDI_CONTROL.source}|[/\\\\]`, 'gu');

/**
 * A Content-Disposition value for a stored file's name: an ASCII `filename` for old clients and
 * the exact name as RFC 5987 `filename*`. Characters that could end the header, the quoted
 * string or the path are replaced, even though stored names have passed checkFileName.
 */
export function contentDisposition(name: string, disposition: 'inline' | 'attachment'): string {
  const cleaned = name.replace(UNSAFE_IN_HEADER, '_');
  const safe = /^[. ]*$/.test(cleaned) ? 'file' : cleaned;
  // % is replaced too: some browsers percent-decode the plain filename parameter.
  const fallback = safe.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${disposition}; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(safe)}`;
}

/** Percent-encoding limited to RFC 5987 attr-char; encodeURIComponent lets ' ( ) * through. */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
