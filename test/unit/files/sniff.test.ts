// Type detection from content: every accepted type from files real tools made, the brand rules
// that tell HEIC from AVIF and MP4 from QuickTime, and programs recognised as programs.
import { open } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  describeContent,
  detectExecutable,
  detectType,
  HEAD_BYTES,
} from '../../../src/shared-node/files/sniff.js';
import { ensureFixtures, isoMediaFile, type Fixtures } from '../../fixtures/make-fixtures.js';

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await ensureFixtures();
});

async function head(path: string): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await file.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('detectType on files made by real tools', () => {
  it.each([
    ['rotatedJpeg', 'image/jpeg', 'photo'],
    ['png', 'image/png', 'photo'],
    ['tiff', 'image/tiff', 'photo'],
    ['webp', 'image/webp', 'photo'],
    ['heic', 'image/heic', 'photo'],
    ['scannedPdf', 'application/pdf', 'document'],
    ['vectorPdf', 'application/pdf', 'document'],
    ['dicomJpeg', 'application/dicom', 'imaging'],
    ['dicomUncompressed', 'application/dicom', 'imaging'],
    ['dicomCt', 'application/dicom', 'imaging'],
    ['mp4', 'video/mp4', 'video'],
    ['text', 'text/plain', 'document'],
  ] as const)('%s is %s (%s)', async (name, mime, kind) => {
    expect(detectType(await head(fixtures[name]))).toMatchObject({ mime, kind });
  });

  it('goes by content, not name: JPEG bytes named .pdf are a JPEG', async () => {
    expect(detectType(await head(fixtures.spoofedPdf))?.mime).toBe('image/jpeg');
  });

  it('recognises nothing in an empty file, a ZIP or random bytes', async () => {
    expect(detectType(new Uint8Array())).toBeUndefined();
    expect(detectType(await head(fixtures.zip))).toBeUndefined();
    expect(detectType(await head(fixtures.corruptJpeg).then((b) => b.subarray(4)))).toBeUndefined();
  });
});

describe('ISO base media brands', () => {
  it.each([
    ['heic', ['mif1', 'heic'], 'image/heic'],
    ['heix', ['mif1'], 'image/heic'],
    ['mif1', ['heic', 'miaf'], 'image/heic'],
    ['msf1', ['hevc'], 'image/heic'],
    ['isom', ['isom', 'avc1'], 'video/mp4'],
    ['mp42', [], 'video/mp4'],
    ['M4V ', ['M4V ', 'mp42'], 'video/mp4'],
    ['qt  ', ['qt  '], 'video/quicktime'],
    ['XAVC', ['XAVC', 'mp42', 'iso2'], 'video/mp4'],
  ])('major brand %j with %j is %s', (major, compatible, mime) => {
    expect(detectType(isoMediaFile(major, compatible))?.mime).toBe(mime);
  });

  it('does not take AVIF for HEIC, even with the generic HEIF brand first', () => {
    expect(detectType(isoMediaFile('avif', ['mif1', 'miaf']))).toBeUndefined();
    expect(detectType(isoMediaFile('mif1', ['avif', 'miaf']))).toBeUndefined();
    expect(describeContent(isoMediaFile('avif', ['mif1']))).toBe('an AVIF image');
  });

  it('recognises a classic QuickTime movie that starts with its moov or wide atom', () => {
    for (const atom of ['moov', 'mdat', 'wide', 'free']) {
      const movie = Buffer.concat([Buffer.from([0, 0, 0, 8]), ascii(atom), Buffer.alloc(32)]);
      expect(detectType(movie)?.mime).toBe('video/quicktime');
    }
  });
});

describe('plain text', () => {
  it('accepts UTF-8 with accents and a character cut off by the end of the head', () => {
    const text = Buffer.from('Ärztlicher Befund — unauffällig. ✓', 'utf8');
    expect(detectType(text)?.mime).toBe('text/plain');
    expect(detectType(text.subarray(0, text.length - 1))?.mime).toBe('text/plain');
  });

  it('refuses bytes with a NUL, invalid UTF-8, or many control characters', () => {
    expect(detectType(ascii('abc\0def'))).toBeUndefined();
    expect(detectType(Buffer.from('caf\xe9 au lait', 'latin1'))).toBeUndefined();
    expect(detectType(ascii('a\x01b\x02c\x03d\x04'.repeat(10)))).toBeUndefined();
  });

  it('does not pass RTF off as plain text', () => {
    const rtf = ascii('{\\rtf1\\ansi Referral letter}');
    expect(detectType(rtf)).toBeUndefined();
    expect(describeContent(rtf)).toBe('an RTF document');
  });
});

describe('detectExecutable', () => {
  it('recognises the ELF made by the toolchain (/bin/true)', async () => {
    expect(detectExecutable(await head(fixtures.elf))).toBe('a Linux program (ELF)');
  });

  it('recognises a Windows PE program by its MZ and PE headers', () => {
    const pe = Buffer.alloc(256);
    pe.write('MZ', 0, 'latin1');
    pe.writeUInt32LE(0x80, 0x3c);
    pe.write('PE\0\0', 0x80, 'latin1');
    expect(detectExecutable(pe)).toBe('a Windows program');
  });

  it('recognises Mach-O programs, universal binaries and scripts', () => {
    expect(detectExecutable(Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]))).toMatch(/macOS/);
    expect(detectExecutable(Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]))).toMatch(
      /universal/,
    );
    expect(detectExecutable(ascii('#!/bin/sh\nrm -rf ~\n'))).toMatch(/script/);
  });

  it('leaves documents and a text that happens to start with "MZ" alone', async () => {
    expect(detectExecutable(ascii('MZ Clinic weekly roster\n'))).toBeUndefined();
    for (const name of ['scannedPdf', 'png', 'dicomJpeg', 'text'] as const) {
      expect(detectExecutable(await head(fixtures[name]))).toBeUndefined();
    }
  });
});

describe('describeContent', () => {
  it('names formats people send by mistake', async () => {
    expect(describeContent(await head(fixtures.zip))).toMatch(/^a ZIP archive/);
    expect(describeContent(ascii('GIF89a\x01\x00'))).toBe('a GIF image');
    expect(describeContent(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))).toMatch(
      /older Microsoft Office/,
    );
    expect(describeContent(ascii('random words'))).toBeUndefined();
  });
});
