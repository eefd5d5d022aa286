// Files sent as bytes (the browser transport): the names they are written under stay inside the
// scratch folder and are valid on every system, and a call that carries too much is refused with
// a message that names the file, before any byte is decoded.
import { describe, expect, it } from 'vitest';
import { safeFileName } from '../../../src/main/services/ingest/incoming.js';
import {
  base64Size,
  IngestFilesInput,
  MAX_INGEST_BYTES_PER_CALL,
} from '../../../src/shared/ipc/ingest.js';
import { describeIssues } from '../../../src/shared/ipc/issues.js';

describe('safeFileName', () => {
  it('keeps ordinary names as they are', () => {
    expect(safeFileName('Referral letter (2).pdf')).toBe('Referral letter (2).pdf');
    expect(safeFileName('Überweisung – März.pdf')).toBe('Überweisung – März.pdf');
    expect(safeFileName('.DS_Store')).toBe('.DS_Store');
  });

  it('drops folder parts, so no name leads out of its folder', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('C:\\Users\\front\\scan.pdf')).toBe('scan.pdf');
    expect(safeFileName('..')).toBe('file');
    expect(safeFileName('scans/')).toBe('file');
  });

  it('replaces what Windows refuses and control characters, and trailing dots and spaces', () => {
    expect(safeFileName('lab: result?*.pdf')).toBe('lab_ result__.pdf');
    expect(safeFileName('a\u0000b\nc.jpg')).toBe('a_b_c.jpg');
    expect(safeFileName('notes.txt. . ')).toBe('notes.txt');
    expect(safeFileName('CON.pdf')).toBe('_CON.pdf');
    expect(safeFileName('   ')).toBe('file');
  });

  it('shortens long names to 200 bytes and keeps the extension', () => {
    const name = safeFileName(`${'ä'.repeat(300)}.pdf`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
    expect(name).toMatch(/^ä+\.pdf$/);
  });
});

describe('ingest:add-files input', () => {
  const refusal = (input: unknown): string => {
    const parsed = IngestFilesInput.safeParse(input);
    if (parsed.success) throw new Error('the input was accepted');
    return describeIssues(parsed.error.issues);
  };

  it('counts the bytes base64 text decodes to', () => {
    for (const bytes of [0, 1, 2, 3, 100, 101, 102]) {
      expect(base64Size(Buffer.alloc(bytes, 7).toString('base64'))).toBe(bytes);
    }
  });

  it('refuses a file over the limit with its name, and several that are too much together', () => {
    const over = 'A'.repeat(Math.ceil(((MAX_INGEST_BYTES_PER_CALL + 3) * 4) / 3));
    expect(refusal({ files: [{ name: 'ct-series.zip', data: over }] })).toBe(
      'files.0.data: ct-series.zip is 64.1 MB; send at most 64 MB of file bytes per call. Add larger files from the desktop app, which reads them from disk',
    );
    const half = 'A'.repeat(Math.ceil((MAX_INGEST_BYTES_PER_CALL * 0.6 * 4) / 3 / 4) * 4);
    expect(
      refusal({
        files: [
          { name: 'a.pdf', data: half },
          { name: 'b.pdf', data: half },
        ],
      }),
    ).toMatch(
      /^files: these 2 files are 76\.\d MB together; send at most 64 MB of file bytes per call, in several calls$/,
    );
    expect(IngestFilesInput.safeParse({ files: [{ name: 'a.pdf', data: half }] }).success).toBe(
      true,
    );
  });

  it('refuses text that is not base64, naming the file', () => {
    expect(refusal({ files: [{ name: 'scan.pdf', data: 'not base64!' }] })).toBe(
      "files.0.data: scan.pdf: send the file's bytes as base64",
    );
    expect(refusal({ files: [] })).toBe('files: Send at least one file');
    expect(refusal({ files: [{ name: 'a.pdf', data: '' }], extra: 1 })).toMatch(/extra/);
  });
});
