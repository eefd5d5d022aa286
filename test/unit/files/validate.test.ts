// What a user sees when a file is accepted or refused: the detected type and size of good
// files, and for each refusal its code and a message naming the file and the reason.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_FILE_LIMITS,
  FileProblem,
  MiB,
  type FileLimits,
  type FileProblemCode,
} from '../../../src/shared-node/files/types.js';
import {
  checkDeclared,
  sha256File,
  validateFile,
} from '../../../src/shared-node/files/validate.js';
import { ensureFixtures, type Fixtures } from '../../fixtures/make-fixtures.js';

let fixtures: Fixtures;
let scratch: string;
beforeAll(async () => {
  fixtures = await ensureFixtures();
  scratch = await mkdtemp(path.join(tmpdir(), 'medaius-validate-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** The FileProblem a call rejects with; fails the test if it resolves or throws anything else. */
async function refusal(promise: Promise<unknown>): Promise<FileProblem> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`accepted: ${JSON.stringify(outcome.value)}`);
  if (!(outcome.error instanceof FileProblem)) throw outcome.error;
  return outcome.error;
}

function expectProblem(
  problem: FileProblem,
  code: FileProblemCode,
  fileName: string,
  reason: RegExp,
): void {
  expect(problem.code).toBe(code);
  expect(problem.fileName).toBe(fileName);
  expect(problem.message.startsWith(`${fileName}: `)).toBe(true);
  expect(problem.reason).toMatch(reason);
}

const validate = (fixture: keyof Fixtures, fileName: string, declaredType?: string) =>
  validateFile({ path: fixtures[fixture], fileName, declaredType }, DEFAULT_FILE_LIMITS);

describe('validateFile accepts', () => {
  it('a JPEG photo, with its size as displayed (EXIF orientation applied)', async () => {
    const result = await validate('rotatedJpeg', 'IMG_2041.JPG', 'image/jpeg');
    expect(result).toMatchObject({
      type: { mime: 'image/jpeg', kind: 'photo' },
      width: 480,
      height: 640,
    });
    expect(result.size).toBe((await readFile(fixtures.rotatedJpeg)).length);
  });

  it.each([
    ['png', 'chart.png', 'image/png'],
    ['tiff', 'fax.tiff', 'image/tif'],
    ['webp', 'wound.webp', 'image/webp'],
    ['heic', 'IMG_0001.HEIC', 'image/heif'],
  ] as const)('a %s image declared with an alias', async (fixture, fileName, declared) => {
    const result = await validate(fixture, fileName, declared);
    expect(result).toMatchObject({ width: 300, height: 200, pages: 1 });
  });

  it('a scanned PDF, counting its pages', async () => {
    const result = await validate('scannedPdf', 'Referral.pdf', 'application/pdf');
    expect(result).toMatchObject({ type: { mime: 'application/pdf', kind: 'document' }, pages: 3 });
  });

  it('DICOM files, with their image size, whether or not they carry an extension', async () => {
    const named = await validate('dicomJpeg', 'chest.dcm', 'application/dicom');
    expect(named).toMatchObject({ type: { kind: 'imaging' }, width: 512, height: 512, pages: 1 });
    const bare = await validate('dicomCt', '1.2.840.113619.2.55.3.604688119.969', undefined);
    expect(bare).toMatchObject({ type: { mime: 'application/dicom' }, width: 256, height: 192 });
  });

  it('video and plain text, and files sent as application/octet-stream', async () => {
    expect((await validate('mp4', 'clip.mov', 'video/quicktime')).type.kind).toBe('video');
    const text = await validate('text', 'notes.txt', 'application/octet-stream');
    expect(text.type).toMatchObject({ mime: 'text/plain', kind: 'document' });
  });
});

describe('validateFile refuses', () => {
  it('JPEG bytes named .pdf, saying what the content is', async () => {
    expectProblem(
      await refusal(validate('spoofedPdf', 'lab-results.pdf')),
      'type_mismatch',
      'lab-results.pdf',
      /named \.pdf but the content is a JPEG image.*Rename it to \.jpg/,
    );
  });

  it('a file whose declared MIME type disagrees with its content', async () => {
    expectProblem(
      await refusal(validate('scannedPage1', 'scan', 'application/pdf')),
      'type_mismatch',
      'scan',
      /sent as application\/pdf but the content is a JPEG image/,
    );
  });

  it('a pixel bomb, from its header alone', async () => {
    expectProblem(
      await refusal(validate('pixelBomb', 'pixel-bomb.png', 'image/png')),
      'too_many_pixels',
      'pixel-bomb.png',
      /20000×20000 pixels \(400 megapixels\); at most 100 megapixels/,
    );
  });

  it('a truncated PDF that pdf.js would quietly repair', async () => {
    expectProblem(
      await refusal(validate('truncatedPdf', 'Discharge summary.pdf')),
      'corrupt',
      'Discharge summary.pdf',
      /the PDF is truncated or damaged.*(export|scan) it again/i,
    );
  });

  it('a password-protected PDF', async () => {
    expectProblem(
      await refusal(validate('protectedPdf', 'Results.pdf')),
      'password_protected',
      'Results.pdf',
      /needs a password.*without the password/,
    );
  });

  it('a zero-byte file', async () => {
    expectProblem(
      await refusal(validate('empty', 'empty-scan.pdf')),
      'empty',
      'empty-scan.pdf',
      /empty \(0 bytes\)/,
    );
  });

  it('an ELF program, even when it is named like a document', async () => {
    expectProblem(
      await refusal(validate('elf', 'invoice.pdf', 'application/pdf')),
      'executable',
      'invoice.pdf',
      /a Linux program \(ELF\), not a document/,
    );
  });

  it('a text file named so that opening it would run it', async () => {
    expectProblem(
      await refusal(validate('text', 'update.bat')),
      'executable',
      'update.bat',
      /\.bat files run as programs/,
    );
  });

  it('an Office file, saying it looks like a ZIP archive', async () => {
    expectProblem(
      await refusal(validate('zip', 'letter.docx')),
      'unknown_type',
      'letter.docx',
      /looks like a ZIP archive.*Save it as PDF/,
    );
  });

  it('an image whose header cannot be read', async () => {
    expectProblem(
      await refusal(validate('corruptJpeg', 'damaged.jpg')),
      'corrupt',
      'damaged.jpg',
      /cannot be read as a JPEG image/,
    );
  });

  it('a DICOM file cut off inside its pixel data', async () => {
    const bytes = await readFile(fixtures.dicomUncompressed);
    const cut = path.join(scratch, 'cut.dcm');
    await writeFile(cut, bytes.subarray(0, bytes.length - 1000));
    expectProblem(
      await refusal(validateFile({ path: cut, fileName: 'series-1.dcm' }, DEFAULT_FILE_LIMITS)),
      'corrupt',
      'series-1.dcm',
      /DICOM file is truncated/,
    );
  });

  it('a DICOM file whose header is damaged', async () => {
    const bytes = Buffer.from(await readFile(fixtures.dicomUncompressed));
    // Keep the preamble and DICM marker, wreck the meta information group after it.
    bytes.fill(0xff, 132, 400);
    const broken = path.join(scratch, 'broken.dcm');
    await writeFile(broken, bytes);
    expectProblem(
      await refusal(validateFile({ path: broken, fileName: 'ct.dcm' }, DEFAULT_FILE_LIMITS)),
      'corrupt',
      'ct.dcm',
      /DICOM header cannot be read/,
    );
  });

  it('a file over its kind’s size limit, naming the limit in MB', async () => {
    const big = path.join(scratch, 'log.txt');
    await writeFile(big, 'All quiet on the ward.\n'.repeat(Math.ceil((3 * MiB) / 23)));
    const limits: FileLimits = {
      ...DEFAULT_FILE_LIMITS,
      maxBytes: { ...DEFAULT_FILE_LIMITS.maxBytes, document: 2 * MiB },
    };
    expectProblem(
      await refusal(validateFile({ path: big, fileName: 'log.txt' }, limits)),
      'too_large',
      'log.txt',
      /it is 3 MB, but a plain text file can be at most 2 MB/,
    );
  });

  it.each([
    ['../../etc/passwd', /path separator/],
    ['a\u202Egpj.exe', /text-direction character/],
    ['CON.txt', /reserved device name/],
    ['notes\0.txt', /control character/],
  ])('the hostile name %j before reading a byte', async (fileName, reason) => {
    const problem = await refusal(
      validateFile({ path: path.join(scratch, 'does-not-exist'), fileName }, DEFAULT_FILE_LIMITS),
    );
    expect(problem.code).toBe('bad_file_name');
    expect(problem.reason).toMatch(reason);
  });
});

describe('checkDeclared', () => {
  const declare = (fileName: string, size: number, contentType?: string) =>
    checkDeclared({ fileName, size, contentType }, DEFAULT_FILE_LIMITS);

  it('returns the type an upload claims, from its Content-Type or else its name', () => {
    expect(declare('IMG_1.jpg', 1000, 'image/jpg')?.mime).toBe('image/jpeg');
    expect(declare('scan', 1000, 'image/tif; charset=binary')?.mime).toBe('image/tiff');
    expect(declare('scan.pdf', 1000, 'application/octet-stream')?.mime).toBe('application/pdf');
    expect(declare('1.2.840.113619', 1000, '')).toBeUndefined();
  });

  it('refuses an empty upload, an unsupported type and a name/type contradiction', async () => {
    expectProblem(
      await refusal(Promise.resolve().then(() => declare('scan.pdf', 0, 'application/pdf'))),
      'empty',
      'scan.pdf',
      /empty/,
    );
    expectProblem(
      await refusal(Promise.resolve().then(() => declare('x.zip', 10, 'application/zip'))),
      'unknown_type',
      'x.zip',
      /application\/zip are not accepted/,
    );
    expectProblem(
      await refusal(Promise.resolve().then(() => declare('x.pdf', 10, 'image/png'))),
      'type_mismatch',
      'x.pdf',
      /named \.pdf but announced as image\/png/,
    );
  });

  it('applies the limit of the claimed kind, or the largest when nothing is claimed', async () => {
    expectProblem(
      await refusal(Promise.resolve().then(() => declare('scan.pdf', 101 * MiB))),
      'too_large',
      'scan.pdf',
      /101 MB, but a PDF document can be at most 100 MB/,
    );
    expect(declare('study.dcm', 3 * 1024 * MiB)?.kind).toBe('imaging');
    expect(declare('study', 3 * 1024 * MiB)).toBeUndefined();
    expectProblem(
      await refusal(Promise.resolve().then(() => declare('study', 6 * 1024 * MiB))),
      'too_large',
      'study',
      /any file can be at most 5120 MB/,
    );
  });

  it('refuses hostile names and program extensions before any bytes are sent', async () => {
    expect((await refusal(Promise.resolve().then(() => declare('..', 5)))).code).toBe(
      'bad_file_name',
    );
    expect((await refusal(Promise.resolve().then(() => declare('setup.exe', 5)))).code).toBe(
      'executable',
    );
  });
});

describe('sha256File', () => {
  it('matches the digest of the whole file', async () => {
    const bytes = await readFile(fixtures.dicomUncompressed);
    expect(await sha256File(fixtures.dicomUncompressed)).toBe(
      createHash('sha256').update(bytes).digest('hex'),
    );
  });
});
