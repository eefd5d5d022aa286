// Turns a frame of a parsed DICOM image into pixels the viewer can window: uncompressed frames
// directly, JPEG baseline frames through the browser's own JPEG decoder (createImageBitmap), so
// no JPEG code of ours runs on untrusted bytes.
import {
  frameBytes,
  frameFromRgba,
  nativeFrame,
  type DicomFrame,
  type DicomImage,
} from './dicom.js';

export async function decodeFrame(image: DicomImage, frameIndex: number): Promise<DicomFrame> {
  if (image.encoding === 'native') return nativeFrame(image, frameIndex);
  const bytes = frameBytes(image, frameIndex);
  const bitmap = await createImageBitmap(new Blob([bytes.slice()], { type: 'image/jpeg' }), {
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
  });
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('The browser gave no 2D canvas to decode the frame into.');
    context.drawImage(bitmap, 0, 0);
    const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return frameFromRgba(image, data, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}
