// Documents put straight into a stopped API's database and file store (the way the server's own
// bulk sources leave them: original, JPEG thumbnail, row), for flows that start from a patient who
// already has documents rather than from filing them.
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { loadConfig } from '../../../src/server/config.js';
import { openDatabase } from '../../../src/server/db/database.js';
import type { DocumentRow } from '../../../src/server/repositories/documents.js';
import { createStorage } from '../../../src/server/storage/index.js';
import { documentKey, thumbnailKey } from '../../../src/server/storage/keys.js';
import { UrlSigner } from '../../../src/server/storage/url-signer.js';
import { sha256 } from '../../support/files.js';
import type { ApiProcess } from './app.js';

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
  const config = loadConfig(api.env());
  const database = openDatabase(config.database);
  const storage = createStorage(config, {
    baseUrl: () => 'http://127.0.0.1',
    signer: new UrlSigner(config.signingSecret),
  });
  try {
    const patient = await database.db
      .selectFrom('patients')
      .innerJoin('organizations', 'organizations.id', 'patients.organization_id')
      .select(['patients.id as id', 'patients.organization_id as organizationId'])
      .where('organizations.name', '=', 'Riverside Family Clinic')
      .where('patients.family_name', '=', familyName)
      .executeTakeFirstOrThrow();
    const admin = await database.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'admin@riverside.test')
      .executeTakeFirstOrThrow();
    const ids: string[] = [];
    for (const doc of documents) {
      const id = randomUUID();
      const now = new Date();
      const key = documentKey(patient.organizationId, patient.id, id, 'jpg', now);
      const thumbKey = thumbnailKey(key);
      const thumb = await sharp(doc.jpeg).resize(256, 256, { fit: 'inside' }).jpeg().toBuffer();
      await storage.putObject(key, doc.jpeg, { contentType: 'image/jpeg', size: doc.jpeg.length });
      await storage.putObject(thumbKey, thumb, { contentType: 'image/jpeg', size: thumb.length });
      const row: DocumentRow = {
        id,
        organization_id: patient.organizationId,
        patient_id: patient.id,
        encounter_id: null,
        title: doc.title,
        category: 'imaging',
        content_type: 'image/jpeg',
        url: `local:///${key}`,
        file_size: doc.jpeg.length,
        sha256: sha256(doc.jpeg),
        thumbnail_url: `local:///${thumbKey}`,
        status: 'current',
        document_date: doc.documentDate,
        source: 'desktop',
        created_by: admin.id,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
        deleted_at: null,
        deleted_by: null,
        storage_key: key,
        thumbnail_key: thumbKey,
        thumbnail_status: 'ready',
        file_name: `${doc.title}.jpg`,
      };
      await database.db.insertInto('document_references').values(row).execute();
      ids.push(id);
    }
    return ids;
  } finally {
    await database.destroy();
  }
}
