// Real files made on the fly for upload tests: photos, PDFs and large images, with their
// SHA-256. Nothing here is PHI; contents are generated patterns and noise.
import { createHash } from 'node:crypto';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import { crc32, deflateSync } from 'node:zlib';

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A photo-like JPEG of the given size. */
export function jpeg(width = 800, height = 600): Promise<Buffer> {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: { r: 90, g: 140, b: 200 },
      noise: { type: 'gaussian', mean: 120, sigma: 40 },
    },
  })
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** An uncompressed TIFF, to get a valid image file of many MiB quickly. */
export function bigTiff(width = 2400, height = 2400): Promise<Buffer> {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: { r: 10, g: 200, b: 90 },
      noise: { type: 'gaussian', mean: 128, sigma: 60 },
    },
  })
    .tiff({ compression: 'none' })
    .toBuffer();
}

/**
 * A PNG whose header claims far more pixels than the limit while the file stays tiny — the
 * shape of a decompression bomb. Its image data is one compressed run of zeros.
 */
export function pixelBomb(side = 30_000): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(4 * 1024 * 1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export async function pdf(pages = 2, text = 'Referral letter'): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([612, 792]);
    page.drawText(`${text} — page ${i + 1}`, { x: 72, y: 700, size: 24, font });
    page.drawRectangle({ x: 72, y: 200, width: 468, height: 400, borderWidth: 4 });
  }
  return Buffer.from(await doc.save());
}
