// Documents of any type (a PDF, a DICOM file) put straight into a stopped API's database and file
// store the way the server's own bulk sources leave them: original, JPEG thumbnail, row. And a DICOM image made
// the way a modality's export looks, with dcmtk's img2dcm from an ImageMagick picture, in a
// temporary directory that is removed again (nothing generated is left in the working tree).
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/server/config.js';
import { openDatabase } from '../../../src/server/db/database.js';
import type { DocumentRow } from '../../../src/server/repositories/documents.js';
import { createStorage } from '../../../src/server/storage/index.js';
import { documentKey, thumbnailKey } from '../../../src/server/storage/keys.js';
import { UrlSigner } from '../../../src/server/storage/url-signer.js';
import type { Category } from '../../../src/shared/domain.js';
import { sha256 } from '../../support/files.js';
import type { ApiProcess } from './app.js';

export interface SeedFile {
  title: string;
  bytes: Buffer;
  contentType: string;
  /** the stored file's extension, e.g. 'pdf', 'dcm' */
  extension: string;
  category: Category;
  /** a JPEG shown as the document's thumbnail */
  thumbnail: Buffer;
  /** YYYY-MM-DD */
  documentDate: string;
}

/**
 * Adds `files` to the Riverside demo patient with this family name; returns the patient's id and
 * the documents' ids in the order given.
 */
export async function addDocuments(
  api: ApiProcess,
  familyName: string,
  files: SeedFile[],
): Promise<{ patientId: string; documentIds: string[] }> {
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
    for (const file of files) {
      const id = randomUUID();
      const now = new Date();
      const key = documentKey(patient.organizationId, patient.id, id, file.extension, now);
      const thumbKey = thumbnailKey(key);
      await storage.putObject(key, file.bytes, {
        contentType: file.contentType,
        size: file.bytes.length,
      });
      await storage.putObject(thumbKey, file.thumbnail, {
        contentType: 'image/jpeg',
        size: file.thumbnail.length,
      });
      const row: DocumentRow = {
        id,
        organization_id: patient.organizationId,
        patient_id: patient.id,
        encounter_id: null,
        title: file.title,
        category: file.category,
        content_type: file.contentType,
        url: `local:///${key}`,
        file_size: file.bytes.length,
        sha256: sha256(file.bytes),
        thumbnail_url: `local:///${thumbKey}`,
        status: 'current',
        document_date: file.documentDate,
        source: 'desktop',
        created_by: admin.id,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
        deleted_at: null,
        deleted_by: null,
        storage_key: key,
        thumbnail_key: thumbKey,
        thumbnail_status: 'ready',
        file_name: `${file.title}.${file.extension}`,
      };
      await database.db.insertInto('document_references').values(row).execute();
      ids.push(id);
    }
    return { patientId: patient.id, documentIds: ids };
  } finally {
    await database.destroy();
  }
}

/**
 * Changes an annotation in the stopped API's database the way another client's edit would: new
 * content, the version one up. Returns the new version.
 */
export async function changeAnnotationInDatabase(
  api: ApiProcess,
  annotationId: string,
  content: Record<string, unknown>,
): Promise<number> {
  if (api.running) throw new Error('Change the database only while the API is stopped.');
  const database = openDatabase(loadConfig(api.env()).database);
  try {
    const row = await database.db
      .selectFrom('document_annotations')
      .select('version')
      .where('id', '=', annotationId)
      .executeTakeFirstOrThrow();
    const version = Number(row.version) + 1;
    await database.db
      .updateTable('document_annotations')
      .set({ content: JSON.stringify(content), version, updated_at: new Date().toISOString() })
      .where('id', '=', annotationId)
      .execute();
    return version;
  } finally {
    await database.destroy();
  }
}

export interface DicomImage {
  /** the DICOM file (JPEG baseline, as img2dcm wraps a JPEG) */
  dicom: Buffer;
  /** the picture it was made from, usable as its thumbnail */
  jpeg: Buffer;
}

/**
 * A secondary-capture DICOM image made with dcmtk's img2dcm from an ImageMagick gradient, with
 * the given patient and study tags. Needs ImageMagick (`convert`) and dcmtk (`img2dcm`).
 */
export function makeDicom(tags: Record<string, string>, size = 256): DicomImage {
  const dir = mkdtempSync(path.join(tmpdir(), 'medaius-dicom-'));
  try {
    const picture = path.join(dir, 'image.jpg');
    const output = path.join(dir, 'image.dcm');
    execFileSync('convert', [
      '-size',
      `${size}x${size}`,
      'radial-gradient:white-black',
      '-colorspace',
      'Gray',
      '-quality',
      '90',
      `JPEG:${picture}`,
    ]);
    const keys = Object.entries(tags).flatMap(([tag, value]) => ['-k', `${tag}=${value}`]);
    execFileSync('img2dcm', ['-i', 'JPEG', ...keys, picture, output]);
    return { dicom: readFileSync(output), jpeg: readFileSync(picture) };
  } catch (error) {
    throw new Error(
      `Making a DICOM image failed (needs ImageMagick's convert and dcmtk's img2dcm): ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
