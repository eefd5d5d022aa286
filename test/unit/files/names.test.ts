// Hostile file names are refused with a reason, and names go back to browsers in a header that
// cannot be broken out of.
import { describe, expect, it } from 'vitest';
import {
  checkFileName,
  contentDisposition,
  extensionType,
} from '../../../src/shared-node/files/names.js';
import { FileProblem } from '../../../src/shared-node/files/types.js';

function problemOf(name: string): FileProblem {
  try {
    checkFileName(name);
  } catch (error) {
    if (error instanceof FileProblem) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(name)} was accepted`);
}

describe('checkFileName', () => {
  it.each([
    'Lab results 2024-03.pdf',
    'Röntgen Thorax.dcm',
    '検査結果.pdf',
    'scan..final.jpg',
    'console.txt',
    '.hidden-notes.txt',
  ])('accepts %j unchanged', (name) => {
    expect(checkFileName(name)).toBe(name);
  });

  it.each([
    ['../../etc/passwd', /path separator/],
    ['..\\..\\boot.ini', /path separator/],
    ['scans/today.pdf', /path separator/],
    ['..', /only dots and spaces/],
    [' . ', /only dots and spaces/],
    ['', /no name/],
    ['report\0.pdf', /control character \(U\+0000\)/],
    ['report\n.pdf', /control character \(U\+000A\)/],
    ['a\u202Egpj.exe', /text-direction character \(U\+202E\).*disguise/],
    ['invoice\u2066fdp.exe\u2069.pdf', /text-direction character \(U\+2066\)/],
    ['CON.txt', /"CON" is a reserved device name on Windows/],
    ['nul', /"nul" is a reserved device name/],
    ['com1.pdf', /"com1" is a reserved device name/],
    ['LPT9.tar.gz', /reserved device name/],
    [`${'x'.repeat(252)}.pdf`, /256 bytes long; at most 255/],
    [`${'é'.repeat(126)}.pdf`, /256 bytes long/],
  ])('refuses %j: %s', (name, reason) => {
    const problem = problemOf(name);
    expect(problem.code).toBe('bad_file_name');
    expect(problem.reason).toMatch(reason);
    expect(problem.message).toContain(problem.fileName);
  });

  it('names the file in the message with its hidden characters spelled out', () => {
    const problem = problemOf('a\u202Egpj.exe');
    expect(problem.fileName).toBe('a<U+202E>gpj.exe');
    expect(problem.message).toMatch(/^a<U\+202E>gpj\.exe: /);
    expect(problem.message).not.toContain('\u202E');
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII filename and the exact UTF-8 name', () => {
    expect(contentDisposition('Röntgen (Thorax).pdf', 'inline')).toBe(
      `inline; filename="R_ntgen (Thorax).pdf"; filename*=UTF-8''R%C3%B6ntgen%20%28Thorax%29.pdf`,
    );
  });

  it('cannot be broken out of by quotes, backslashes, line breaks or percent signs', () => {
    const header = contentDisposition('a"b\\c\r\nSet-Cookie: x=1%41.pdf', 'attachment');
    expect(header).toBe(
      `attachment; filename="a_b_c__Set-Cookie: x=1_41.pdf"; filename*=UTF-8''a%22b_c__Set-Cookie%3A%20x%3D1%2541.pdf`,
    );
    expect(header).not.toMatch(/[\r\n]/);
  });

  it('drops text-direction overrides and path separators from both forms', () => {
    const header = contentDisposition('../a\u202Egpj.exe', 'attachment');
    expect(header).toBe(`attachment; filename=".._a_gpj.exe"; filename*=UTF-8''.._a_gpj.exe`);
  });

  it('never sends an empty or dots-only name', () => {
    expect(contentDisposition('..', 'attachment')).toBe(
      `attachment; filename="file"; filename*=UTF-8''file`,
    );
  });
});

describe('extensionType', () => {
  it.each([
    ['scan.PDF', 'application/pdf'],
    ['photo.jpeg', 'image/jpeg'],
    ['photo.JPG', 'image/jpeg'],
    ['fax.tif', 'image/tiff'],
    ['IMG_0001.HEIC', 'image/heic'],
    ['img.heif', 'image/heic'],
    ['study.dicom', 'application/dicom'],
    ['clip.m4v', 'video/mp4'],
    ['clip.MOV', 'video/quicktime'],
    ['notes.txt', 'text/plain'],
  ])('%s claims %s', (name, mime) => {
    expect(extensionType(name)?.mime).toBe(mime);
  });

  it.each(['README', '.pdf', 'archive.zip', 'name.', '1.2.840.113619.2.55'])(
    '%j claims no type',
    (name) => {
      expect(extensionType(name)).toBeUndefined();
    },
  );
});
