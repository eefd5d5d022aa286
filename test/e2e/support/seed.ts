// Documents put straight into a stopped API's database and file store (the way the server's own
// bulk sources leave them: original, JPEG thumbnail, row), for flows that start from a patient who
// already has documents rather than from filing them.
import sharp from 'sharp';
import type { ApiProcess } from './app.js';
import { addDocuments } from './seed-files.js';

export interface SeedDocument {
  title: string;
  /** a JPEG (its own thumbnail is made from it) */
  jpeg: Buffer;
  /** YYYY-MM-DD */
  documentDate: string;
}

/** Adds `documents` to the Riverside demo patient with this family name; returns their ids. */
export async function addJpegDocuments(
  api: ApiProcess,
  familyName: string,
  documents: SeedDocument[],
): Promise<string[]> {
  const files = await Promise.all(
    documents.map(async (doc) => ({
      title: doc.title,
      bytes: doc.jpeg,
      contentType: 'image/jpeg',
      extension: 'jpg',
      category: 'imaging' as const,
      thumbnail: await sharp(doc.jpeg).resize(256, 256, { fit: 'inside' }).jpeg().toBuffer(),
      documentDate: doc.documentDate,
    })),
  );
  return (await addDocuments(api, familyName, files)).documentIds;
}
