// The viewer's DICOM reading and window/level, on real files: ImageMagick draws the pictures,
// dcmtk's img2dcm wraps them as DICOM, and dcmtk's own tools make the 16-bit, multi-frame,
// implicit-VR, RLE and JPEG-LS variants. JPEG frames are decoded with sharp here (the browser's
// decoder in the app), so the windowing runs on what a real decoder gives.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DicomError,
  dragWindow,
  frameBytes,
  frameFromRgba,
  fullRangeWindow,
  initialWindow,
  nativeFrame,
  parseDicomImage,
  renderFrame,
  windowLevel,
  windowPresets,
  type DicomFrame,
  type DicomImage,
} from '../../../../src/renderer/src/lib/dicom.js';

const WIDTH = 64;
const HEIGHT = 48;
let dir: string;

function run(command: string, args: string[]): void {
  execFileSync(command, args, { cwd: dir, stdio: 'pipe' });
}

function file(name: string): DicomImage {
  return parseDicomImage(new Uint8Array(readFileSync(path.join(dir, name))));
}

/** 16-bit little-endian samples: a left-to-right ramp 0..4095, one ramp per frame offset by 1000·frame. */
function ramp16(frames: number): Buffer {
  const buffer = Buffer.alloc(WIDTH * HEIGHT * 2 * frames);
  for (let f = 0; f < frames; f++)
    for (let y = 0; y < HEIGHT; y++)
      for (let x = 0; x < WIDTH; x++) {
        const value = Math.min(4095, Math.round((x / (WIDTH - 1)) * 3095) + f * 500);
        buffer.writeUInt16LE(value, ((f * HEIGHT + y) * WIDTH + x) * 2);
      }
  return buffer;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'viewer-dicom-'));
  // 8-bit grey, uncompressed: a palette BMP is what img2dcm turns into MONOCHROME2.
  run('convert', [
    '-size',
    `${HEIGHT}x${WIDTH}`,
    'gradient:black-white',
    '-rotate',
    '-90',
    '-type',
    'Palette',
    '-colors',
    '256',
    '-compress',
    'none',
    'BMP3:grey.bmp',
  ]);
  run('img2dcm', [
    '-i',
    'BMP',
    'grey.bmp',
    'grey8.dcm',
    '-k',
    'PatientName=Doe^Jane',
    '-k',
    'PatientID=MRN-0042',
    '-k',
    'StudyDate=20240131',
    '-k',
    'Modality=OT',
    '-k',
    'StudyDescription=Hand left',
  ]);
  run('dcmconv', ['+ti', 'grey8.dcm', 'grey8-implicit.dcm']);
  // 16-bit (12 stored) as a CT would send it, then the same with three frames.
  writeFileSync(path.join(dir, 'ramp1.raw'), ramp16(1));
  writeFileSync(path.join(dir, 'ramp3.raw'), ramp16(3));
  for (const [name, raw, frames] of [
    ['ct16.dcm', 'ramp1.raw', 1],
    ['ct16x3.dcm', 'ramp3.raw', 3],
  ] as const) {
    run('cp', ['grey8.dcm', name]);
    run('dcmodify', [
      '-nb',
      '-m',
      '(0028,0100)=16',
      '-m',
      '(0028,0101)=12',
      '-m',
      '(0028,0102)=11',
      '-m',
      '(0008,0060)=CT',
      '-i',
      '(0028,1052)=-1024',
      '-i',
      '(0028,1053)=1',
      '-i',
      '(0028,1050)=40',
      '-i',
      '(0028,1051)=400',
      '-i',
      `(0028,0008)=${frames}`,
      '-mf',
      `(7fe0,0010)=${raw}`,
      name,
    ]);
  }
  // JPEG baseline, grey and colour: img2dcm keeps a JPEG's bytes as they are.
  run('convert', [
    '-size',
    `${HEIGHT}x${WIDTH}`,
    'gradient:black-white',
    '-rotate',
    '-90',
    '-quality',
    '95',
    'grey.jpg',
  ]);
  run('convert', ['-size', `${WIDTH}x${HEIGHT}`, 'xc:rgb(200,30,40)', '-quality', '95', 'red.jpg']);
  run('img2dcm', ['grey.jpg', 'grey-jpeg.dcm']);
  run('img2dcm', ['red.jpg', 'red-jpeg.dcm']);
  // Three 8-bit frames (each 100 grey levels brighter), then JPEG baseline with an offset table.
  const frames8 = Buffer.alloc(WIDTH * HEIGHT * 3);
  for (let f = 0; f < 3; f++)
    for (let i = 0; i < WIDTH * HEIGHT; i++)
      frames8[f * WIDTH * HEIGHT + i] = Math.min(
        255,
        f * 100 + Math.floor(((i % WIDTH) * 50) / WIDTH),
      );
  writeFileSync(path.join(dir, 'frames8.raw'), frames8);
  run('cp', ['grey8.dcm', 'grey8x3.dcm']);
  run('dcmodify', ['-nb', '-i', '(0028,0008)=3', '-mf', '(7fe0,0010)=frames8.raw', 'grey8x3.dcm']);
  run('dcmcjpeg', ['+eb', 'grey8x3.dcm', 'grey8x3-jpeg.dcm']);
  // Syntaxes the viewer does not decode.
  run('dcmcrle', ['grey8.dcm', 'grey-rle.dcm']);
  run('dcmcjpls', ['grey8.dcm', 'grey-jpegls.dcm']);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function decodeJpeg(image: DicomImage, frame: number): Promise<DicomFrame> {
  const { data, info } = await sharp(Buffer.from(frameBytes(image, frame)))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return frameFromRgba(image, new Uint8ClampedArray(data), info.width, info.height);
}

/** Grey level shown at (x, y) of rendered RGBA pixels. */
function greyAt(rgba: Uint8ClampedArray, width: number, x: number, y: number): number {
  return rgba[(y * width + x) * 4] ?? -1;
}

describe('DICOM files the viewer shows', () => {
  it('reads an 8-bit grey image with its size, tags and a left-to-right ramp', () => {
    const image = file('grey8.dcm');
    expect(image).toMatchObject({
      transferSyntaxName: 'Explicit VR Little Endian',
      encoding: 'native',
      rows: HEIGHT,
      columns: WIDTH,
      frames: 1,
      bitsAllocated: 8,
      photometric: 'MONOCHROME2',
    });
    expect(image.tags).toMatchObject({
      patientName: 'Jane Doe',
      patientId: 'MRN-0042',
      studyDate: '2024-01-31',
      modality: 'OT',
      studyDescription: 'Hand left',
    });
    const frame = nativeFrame(image, 0);
    expect(frame.kind).toBe('grey');
    const pixels = renderFrame(image, frame, initialWindow(image, frame));
    expect(greyAt(pixels, WIDTH, 0, 10)).toBeLessThan(10);
    expect(greyAt(pixels, WIDTH, WIDTH - 1, 10)).toBeGreaterThan(245);
    expect(greyAt(pixels, WIDTH, 32, 10)).toBeGreaterThan(100);
    expect(greyAt(pixels, WIDTH, 32, 10)).toBeLessThan(160);
  });

  it('reads implicit VR little endian the same as explicit', () => {
    const implicit = file('grey8-implicit.dcm');
    expect(implicit.transferSyntaxName).toBe('Implicit VR Little Endian');
    const explicitFrame = nativeFrame(file('grey8.dcm'), 0);
    const implicitFrame = nativeFrame(implicit, 0);
    expect(implicitFrame.kind === 'grey' && Array.from(implicitFrame.values)).toEqual(
      explicitFrame.kind === 'grey' && Array.from(explicitFrame.values),
    );
  });

  it('applies the rescale to 16-bit values and opens with the file’s window', () => {
    const image = file('ct16.dcm');
    expect(image).toMatchObject({
      bitsAllocated: 16,
      bitsStored: 12,
      window: { center: 40, width: 400 },
    });
    const frame = nativeFrame(image, 0);
    if (frame.kind !== 'grey') throw new Error('expected a grey frame');
    // Stored 0..3095 with intercept -1024 → -1024..2071 HU.
    expect(frame.min).toBe(-1024);
    expect(frame.max).toBe(2071);
    const window = initialWindow(image, frame);
    expect(window).toEqual({ center: 40, width: 400 });
    const pixels = renderFrame(image, frame, window);
    // Air is black and bone white under a soft-tissue window.
    expect(greyAt(pixels, WIDTH, 0, 0)).toBe(0);
    expect(greyAt(pixels, WIDTH, WIDTH - 1, 0)).toBe(255);
  });

  it('shows a wider window with less contrast, and offers CT presets', () => {
    const image = file('ct16.dcm');
    const frame = nativeFrame(image, 0);
    const soft = renderFrame(image, frame, { center: 40, width: 400 });
    const full = renderFrame(image, frame, fullRangeWindow(frame));
    const x = 24; // stored ≈ 1179 → 155 HU: inside the soft-tissue window, mid-grey in full range
    expect(greyAt(soft, WIDTH, x, 0)).toBeGreaterThan(greyAt(full, WIDTH, x, 0));
    expect(greyAt(full, WIDTH, 0, 0)).toBe(0);
    expect(greyAt(full, WIDTH, WIDTH - 1, 0)).toBe(255);
    expect(windowPresets(image).map((preset) => preset.name)).toEqual([
      'Soft tissue',
      'Lung',
      'Bone',
      'Brain',
    ]);
    expect(windowPresets(file('grey8.dcm'))).toEqual([]);
  });

  it('widens the window when dragged right and raises its centre when dragged down', () => {
    const image = file('ct16.dcm');
    const frame = nativeFrame(image, 0);
    const start = { center: 40, width: 400 };
    const dragged = dragWindow(start, 64, 32, frame);
    expect(dragged.width).toBeGreaterThan(start.width);
    expect(dragged.center).toBeGreaterThan(start.center);
    expect(dragWindow(start, -10_000, 0, frame).width).toBe(1);
  });

  it('steps through the frames of a multi-frame image, each with its own pixels', () => {
    const image = file('ct16x3.dcm');
    expect(image.frames).toBe(3);
    const mins = [0, 1, 2].map((index) => {
      const frame = nativeFrame(image, index);
      return frame.kind === 'grey' ? frame.min : NaN;
    });
    expect(mins).toEqual([-1024, -524, -24]);
    expect(() => nativeFrame(image, 3)).toThrow(/Frame 4 does not exist: the image has 3/);
  });

  it('gives the JPEG stream of a JPEG baseline frame, which decodes to the grey ramp', async () => {
    const image = file('grey-jpeg.dcm');
    expect(image).toMatchObject({
      transferSyntaxUid: '1.2.840.10008.1.2.4.50',
      encoding: 'jpeg-baseline',
      photometric: 'MONOCHROME2',
    });
    const bytes = frameBytes(image, 0);
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
    const frame = await decodeJpeg(image, 0);
    const pixels = renderFrame(image, frame, initialWindow(image, frame));
    expect(greyAt(pixels, WIDTH, 1, 20)).toBeLessThan(20);
    expect(greyAt(pixels, WIDTH, WIDTH - 2, 20)).toBeGreaterThan(235);
  });

  it('finds each frame of a multi-frame JPEG baseline image', async () => {
    const image = file('grey8x3-jpeg.dcm');
    expect(image).toMatchObject({ encoding: 'jpeg-baseline', frames: 3 });
    const means = [];
    for (const index of [0, 1, 2]) {
      const frame = await decodeJpeg(image, index);
      if (frame.kind !== 'grey') throw new Error('expected a grey frame');
      means.push(frame.values.reduce((sum, v) => sum + v, 0) / frame.values.length);
    }
    // 0..49, 100..149 and 200..249 across each frame: means near 25, 125, 225.
    means.forEach((mean, i) => expect(mean).toBeCloseTo(25 + 100 * i, -1));
  });

  it('shows a colour JPEG baseline image in its colours', async () => {
    const image = file('red-jpeg.dcm');
    expect(image.samplesPerPixel).toBe(3);
    const frame = await decodeJpeg(image, 0);
    expect(frame.kind).toBe('rgb');
    const pixels = renderFrame(image, frame, fullRangeWindow(frame));
    const [r = 0, g = 0, b = 0] = pixels.slice(0, 3);
    expect(r).toBeGreaterThan(180);
    expect(g).toBeLessThan(60);
    expect(b).toBeLessThan(60);
  });

  it.each([
    ['grey-rle.dcm', 'RLE Lossless', '1.2.840.10008.1.2.5'],
    ['grey-jpegls.dcm', 'JPEG-LS Lossless', '1.2.840.10008.1.2.4.80'],
  ])('names the transfer syntax of %s that it cannot display', (name, syntax, uid) => {
    let caught: unknown;
    try {
      file(name);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DicomError);
    expect((caught as DicomError).code).toBe('unsupported-transfer-syntax');
    expect((caught as DicomError).message).toContain(`${syntax} (${uid})`);
    expect((caught as DicomError).message).toContain('cannot display');
  });

  it('says a file that is not DICOM is not DICOM', () => {
    expect(() => parseDicomImage(new Uint8Array(readFileSync(path.join(dir, 'grey.jpg'))))).toThrow(
      /not a DICOM file/,
    );
  });
});

describe('window/level', () => {
  it('maps the window linearly onto 0..255 and clips outside it', () => {
    // Centre 128, width 256 is the identity on 8-bit values.
    const identity = { center: 128, width: 256 };
    expect([0, 1, 128, 254, 255].map((v) => windowLevel(v, identity))).toEqual([
      0, 1, 128, 254, 255,
    ]);
    // A soft-tissue window: black at -160 HU and below, white above 240 HU.
    const soft = { center: 40, width: 400 };
    expect(windowLevel(-1000, soft)).toBe(0);
    expect(windowLevel(-160, soft)).toBe(0);
    expect(windowLevel(40, soft)).toBe(128);
    expect(windowLevel(241, soft)).toBe(255);
  });
});
