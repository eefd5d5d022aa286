// The resumable upload protocol. The client names the upload (its id is the idempotency key
// and becomes the document's id), the server picks equal part sizes, hands out signed part
// URLs, and on `complete` checks the assembled object before the document exists. Uploads of
// a batch become documents together at commit, or not at all.
import { randomUUID } from 'node:crypto';
import type {
  BatchResult,
  CompleteUpload,
  DirectUploadFields,
  DocumentReference,
  FileResult,
  SignedParts,
  UploadCreate,
  UploadState,
} from '../../shared/api/schemas.js';
import {
  FileProblem,
  MiB,
  type DetectedType,
  type FileLimits,
} from '../../shared-node/files/types.js';
import { checkDeclared } from '../../shared-node/files/validate.js';
import { createReadStream } from 'node:fs';
import type { Database } from '../db/database.js';
import type { Clock } from '../clock.js';
import { ApiError, notFound } from '../errors.js';
import { PatientRepository } from '../repositories/patients.js';
import { UploadRepository, type UploadRow } from '../repositories/uploads.js';
import { documentKey, thumbnailKey } from '../storage/keys.js';
import { InvalidPartError, UploadNotFoundError, type FileStorage } from '../storage/types.js';
import type { AccessService } from './access.js';
import { auditContextOf, type Actor } from './auth.js';
import type { AuditService } from './audit.js';
import { toDocument, type DocumentService, type NewDocument } from './documents.js';
import type { FileInspector } from './files.js';

export const MIN_PART_SIZE = 8 * MiB;
export const MAX_PARTS = 10_000;
export const UPLOAD_LIFETIME_MS = 7 * 24 * 3600_000;
export const PART_URL_SECONDS = 3600;
/** A `verifying` upload untouched this long belongs to a server that died mid-check. */
const STALE_VERIFY_MS = 15 * 60_000;

/**
 * Equal parts of whole MiB, at least 8 MiB, so no upload needs more than 10,000 parts
 * (Cloudflare R2 refuses uploads whose parts, but the last, differ in size).
 */
export function partSizeFor(size: number): number {
  return Math.max(MIN_PART_SIZE, Math.ceil(size / MAX_PARTS / MiB) * MiB);
}

export interface UploadDeps {
  database: Database;
  storage: FileStorage;
  inspector: FileInspector;
  access: AccessService;
  audit: AuditService;
  documents: DocumentService;
  limits: FileLimits;
  clock: Clock;
  storageUri: (key: string) => string;
}

export class UploadService {
  constructor(private readonly d: UploadDeps) {}

  async create(actor: Actor, req: UploadCreate): Promise<{ created: boolean; state: UploadState }> {
    const repo = new UploadRepository(this.d.database.db);
    const existing = await repo.findAnyOrganization(req.id);
    if (existing) {
      if (existing.organization_id !== actor.organizationId || !sameRequest(existing, req)) {
        throw new ApiError(
          'conflict',
          'This upload id is already used for a different file. Use a new id for a new file.',
        );
      }
      return { created: false, state: await this.state(actor, existing) };
    }
    const declared = this.checkDeclared(req);
    await this.d.access.visiblePatient(actor, req.patientId);
    await this.d.access.assertCategory(actor, req.category, 'write');
    if (req.encounterId) await this.assertEncounter(actor, req.patientId, req.encounterId);

    const now = this.d.clock();
    const key = documentKey(actor.organizationId, req.patientId, req.id, declared.ext, now);
    const partSize = partSizeFor(req.size);
    const storageUploadId = await this.d.storage.createMultipartUpload(key, declared.mime);
    const row: UploadRow = {
      id: req.id,
      organization_id: actor.organizationId,
      created_by: actor.userId,
      patient_id: req.patientId,
      encounter_id: req.encounterId ?? null,
      category: req.category,
      title: req.title,
      file_name: req.fileName,
      content_type: declared.mime,
      size: req.size,
      sha256: req.sha256,
      document_date: req.documentDate ?? null,
      batch_id: req.batchId ?? null,
      source: req.source ?? 'desktop',
      storage_key: key,
      storage_upload_id: storageUploadId,
      part_size: partSize,
      part_count: Math.ceil(req.size / partSize),
      status: 'pending',
      error: null,
      thumbnail_key: null,
      thumbnail_status: null,
      document_id: null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
      expires_at: new Date(now.getTime() + UPLOAD_LIFETIME_MS).toISOString(),
    };
    try {
      await this.d.database.db.transaction().execute(async (trx) => {
        await new UploadRepository(trx).insert(row);
        await this.d.audit.record(
          auditContextOf(actor),
          {
            action: 'upload.create',
            entityType: 'upload',
            entityId: row.id,
            patientId: row.patient_id,
            details: { size: row.size, contentType: row.content_type, batchId: row.batch_id },
          },
          trx,
        );
      });
    } catch (err) {
      // A concurrent create with the same id won the race; answer like a repeat of it.
      await this.d.storage.abortMultipartUpload(key, storageUploadId);
      const winner = await repo.findAnyOrganization(req.id);
      if (winner && winner.organization_id === actor.organizationId && sameRequest(winner, req)) {
        return { created: false, state: await this.state(actor, winner) };
      }
      throw err;
    }
    return { created: true, state: await this.state(actor, row) };
  }

  async get(actor: Actor, id: string): Promise<UploadState> {
    return this.state(actor, await this.find(actor, id));
  }

  async signParts(actor: Actor, id: string, partNumbers: number[]): Promise<SignedParts> {
    const upload = await this.pending(actor, id);
    const expiresInSeconds = Math.min(
      PART_URL_SECONDS,
      Math.floor((Date.parse(upload.expires_at) - this.d.clock().getTime()) / 1000),
    );
    const expiresAt = new Date(this.d.clock().getTime() + expiresInSeconds * 1000).toISOString();
    const parts = [];
    for (const partNumber of new Set(partNumbers)) {
      if (partNumber > upload.part_count) {
        throw new ApiError(
          'validation_failed',
          `partNumbers: this upload has ${upload.part_count} part(s); ${partNumber} does not exist`,
        );
      }
      const url = await this.d.storage.signUploadPart({
        key: upload.storage_key,
        uploadId: upload.storage_upload_id,
        partNumber,
        expiresInSeconds,
      });
      parts.push({ partNumber, url, expiresAt });
    }
    return { parts };
  }

  async abort(actor: Actor, id: string): Promise<void> {
    const upload = await this.find(actor, id);
    if (upload.status === 'completed') {
      throw new ApiError('conflict', 'This upload is complete; delete the document instead.');
    }
    if (upload.status === 'aborted') return;
    await this.d.storage.abortMultipartUpload(upload.storage_key, upload.storage_upload_id);
    await this.d.database.db.transaction().execute(async (trx) => {
      await new UploadRepository(trx).update(id, {
        status: 'aborted',
        updated_at: this.d.clock().toISOString(),
      });
      await this.d.audit.record(
        auditContextOf(actor),
        {
          action: 'upload.abort',
          entityType: 'upload',
          entityId: id,
          patientId: upload.patient_id,
        },
        trx,
      );
    });
  }

  /**
   * Assembles the parts, checks the object and, outside a batch, creates the document.
   * Repeating it answers with the same document.
   */
  async complete(actor: Actor, id: string, req: CompleteUpload): Promise<UploadState> {
    let upload = await this.find(actor, id);
    if (upload.status === 'completed' || upload.status === 'failed')
      return this.state(actor, upload);
    upload = await this.claimForVerification(actor, upload);
    assertAllParts(upload, req);

    try {
      await this.assemble(upload, req);
      const inspected = await this.d.inspector.inspectStored(upload.storage_key, {
        fileName: upload.file_name,
        contentType: upload.content_type,
        size: Number(upload.size),
        sha256: upload.sha256,
      });
      const thumbnail = await this.d.inspector.storeThumbnail(
        upload.storage_key,
        inspected.thumbnail,
      );
      const now = this.d.clock().toISOString();
      await this.d.database.db.transaction().execute(async (trx) => {
        const uploads = new UploadRepository(trx);
        const changes = {
          status: 'completed' as const,
          thumbnail_key: thumbnail.key,
          thumbnail_status: thumbnail.status,
          updated_at: now,
        };
        // Only from `verifying`: a batch commit that failed meanwhile has already marked this
        // upload failed and removed its bytes, and must not be overwritten.
        const finished = await uploads.transition(id, ['verifying'], {
          ...changes,
          ...(upload.batch_id ? {} : { document_id: id }),
        });
        if (!finished) {
          throw new ApiError('conflict', 'This upload was ended while it was being checked.');
        }
        if (!upload.batch_id) {
          await this.d.documents.insertNew(trx, actor, [
            this.newDocument({ ...upload, ...changes }),
          ]);
        }
      });
    } catch (err) {
      if (err instanceof FileProblem) {
        await this.fail(upload, err.message);
        throw new ApiError('file_rejected', err.message);
      }
      // Anything else (storage unreachable, database down) leaves the upload resumable.
      await new UploadRepository(this.d.database.db).transition(id, ['verifying'], {
        status: 'pending',
        updated_at: this.d.clock().toISOString(),
      });
      throw err;
    }
    return this.get(actor, id);
  }

  /**
   * Makes every completed upload of the batch a document in one transaction, or, if any file
   * of the batch failed or is missing, none of them: their objects are removed.
   */
  async commitBatch(actor: Actor, batchId: string, uploadIds?: string[]): Promise<BatchResult> {
    const repo = new UploadRepository(this.d.database.db);
    const done = await repo.findBatch(actor.organizationId, batchId);
    if (done) return JSON.parse(done.result) as BatchResult;
    const uploads = await repo.listBatch(actor.organizationId, batchId);
    if (uploads.length === 0) throw notFound('Batch');

    const problems = new Map<string, string>();
    if (uploadIds) {
      const known = new Set(uploads.map((u) => u.id));
      for (const missing of uploadIds.filter((u) => !known.has(u))) {
        problems.set(missing, 'this upload was never started in this batch');
      }
      for (const extra of uploads.filter((u) => !uploadIds.includes(u.id))) {
        problems.set(extra.id, 'this upload is in the batch but not in the commit');
      }
    }
    for (const u of uploads) {
      if (u.status === 'failed') problems.set(u.id, u.error ?? 'the file was rejected');
      else if (u.status !== 'completed')
        problems.set(u.id, `the upload is ${u.status}, not complete`);
    }

    const now = this.d.clock().toISOString();
    const ids = uploadIds ?? uploads.map((u) => u.id);
    const byId = new Map(uploads.map((u) => [u.id, u]));
    const fileName = (uploadId: string) => byId.get(uploadId)?.file_name ?? '';
    let result: BatchResult;
    if (problems.size === 0) {
      result = {
        batchId,
        status: 'committed',
        succeeded: uploads.length,
        failed: 0,
        files: uploads.map((u) => ({
          uploadId: u.id,
          fileName: u.file_name,
          status: 'succeeded',
          documentId: u.id,
          reason: null,
        })),
      };
      await this.d.database.db.transaction().execute(async (trx) => {
        await this.d.documents.insertNew(
          trx,
          actor,
          uploads.map((u) => this.newDocument(u)),
        );
        for (const u of uploads)
          await new UploadRepository(trx).update(u.id, { document_id: u.id, updated_at: now });
        await this.saveBatch(trx, actor, batchId, result, now);
      });
    } else {
      const files: FileResult[] = [...new Set([...ids, ...uploads.map((u) => u.id)])].map(
        (uploadId) => ({
          uploadId,
          fileName: fileName(uploadId),
          status: 'failed',
          documentId: null,
          reason:
            problems.get(uploadId) ??
            'not saved: another file of this batch failed, and a batch is saved whole or not at all',
        }),
      );
      result = { batchId, status: 'failed', succeeded: 0, failed: files.length, files };
      for (const u of uploads) await this.discard(u);
      await this.d.database.db.transaction().execute(async (trx) => {
        for (const u of uploads) {
          await new UploadRepository(trx).update(u.id, {
            status: 'failed',
            error: u.error ?? 'batch rolled back',
            updated_at: now,
          });
        }
        await this.saveBatch(trx, actor, batchId, result, now);
      });
    }
    return result;
  }

  /**
   * Files received whole by the API (portal, fax, integration feeds, small desktop files): the
   * same checks, all stored and made documents together, or none.
   */
  async ingestFiles(
    actor: Actor,
    meta: DirectUploadFields,
    files: { path: string; fileName: string; contentType?: string }[],
  ): Promise<{ result: BatchResult; documents: DocumentReference[] }> {
    await this.d.access.visiblePatient(actor, meta.patientId);
    await this.d.access.assertCategory(actor, meta.category, 'write');
    if (meta.encounterId) await this.assertEncounter(actor, meta.patientId, meta.encounterId);
    const batchId = randomUUID();
    const checked = [];
    const failures = new Map<number, string>();
    for (const [i, file] of files.entries()) {
      try {
        checked.push({
          file,
          id: randomUUID(),
          inspected: await this.d.inspector.inspectLocal(file.path, file),
        });
      } catch (err) {
        if (!(err instanceof FileProblem)) throw err;
        failures.set(i, err.message);
      }
    }
    const resultOf = (status: 'committed' | 'failed', ids: (string | null)[]): BatchResult => {
      const results: FileResult[] = files.map((f, i) => ({
        uploadId: ids[i] ?? '',
        fileName: f.fileName,
        status: status === 'committed' ? 'succeeded' : 'failed',
        documentId: status === 'committed' ? ids[i]! : null,
        reason:
          status === 'committed'
            ? null
            : (failures.get(i) ??
              'not saved: another file of this request failed, and they are saved together or not at all'),
      }));
      return {
        batchId,
        status,
        succeeded: status === 'committed' ? files.length : 0,
        failed: status === 'committed' ? 0 : files.length,
        files: results,
      };
    };
    if (failures.size > 0) {
      await this.d.audit.record(auditContextOf(actor), {
        action: 'document.create',
        outcome: 'failure',
        patientId: meta.patientId,
        details: { source: meta.source, rejected: [...failures.values()] },
      });
      return { result: resultOf('failed', []), documents: [] };
    }

    const now = this.d.clock();
    const stored: string[] = [];
    const docs: NewDocument[] = [];
    try {
      for (const { file, id, inspected } of checked) {
        const key = documentKey(actor.organizationId, meta.patientId, id, inspected.type.ext, now);
        await this.d.storage.putObject(key, createReadStream(file.path), {
          contentType: inspected.type.mime,
          size: inspected.size,
        });
        stored.push(key);
        const thumb = await this.d.inspector.storeThumbnail(key, inspected.thumbnail);
        if (thumb.key) stored.push(thumb.key);
        docs.push({
          id,
          patient_id: meta.patientId,
          encounter_id: meta.encounterId ?? null,
          title: checked.length === 1 && meta.title ? meta.title : titleFrom(file.fileName),
          category: meta.category,
          content_type: inspected.type.mime,
          url: this.d.storageUri(key),
          file_size: inspected.size,
          sha256: inspected.sha256,
          thumbnail_url: thumb.key ? this.d.storageUri(thumb.key) : null,
          document_date: meta.documentDate ?? now.toISOString().slice(0, 10),
          source: meta.source,
          storage_key: key,
          thumbnail_key: thumb.key,
          thumbnail_status: thumb.status,
          file_name: file.fileName,
        });
      }
      const rows = await this.d.database.db
        .transaction()
        .execute((trx) => this.d.documents.insertNew(trx, actor, docs));
      return {
        result: resultOf(
          'committed',
          docs.map((d) => d.id),
        ),
        documents: rows.map(toDocument),
      };
    } catch (err) {
      for (const key of stored) await this.d.storage.deleteObject(key);
      throw err;
    }
  }

  /** Aborts uploads whose seven days are over; run periodically. Returns how many it ended. */
  async expireStale(): Promise<number> {
    const repo = new UploadRepository(this.d.database.db);
    let ended = 0;
    for (;;) {
      const stale = await repo.expiredBefore(this.d.clock().toISOString(), 100);
      if (stale.length === 0) return ended;
      for (const u of stale) {
        await this.d.storage.abortMultipartUpload(u.storage_key, u.storage_upload_id);
        await this.d.storage.deleteObject(u.storage_key);
        await repo.update(u.id, { status: 'expired', updated_at: this.d.clock().toISOString() });
        ended++;
      }
    }
  }

  private async saveBatch(
    trx: Parameters<DocumentService['insertNew']>[0],
    actor: Actor,
    batchId: string,
    result: BatchResult,
    now: string,
  ) {
    await new UploadRepository(trx).insertBatch({
      id: batchId,
      organization_id: actor.organizationId,
      committed_by: actor.userId,
      status: result.status,
      result: JSON.stringify(result),
      committed_at: now,
    });
    await this.d.audit.record(
      auditContextOf(actor),
      {
        action: 'batch.commit',
        entityType: 'batch',
        entityId: batchId,
        outcome: result.status === 'committed' ? 'success' : 'failure',
        details: { succeeded: result.succeeded, failed: result.failed },
      },
      trx,
    );
  }

  /** The type the upload announces; the storage key's extension follows from it. */
  private checkDeclared(req: UploadCreate): DetectedType {
    let declared: DetectedType | undefined;
    try {
      declared = checkDeclared(
        { fileName: req.fileName, contentType: req.contentType, size: req.size },
        this.d.limits,
      );
    } catch (err) {
      if (err instanceof FileProblem) throw new ApiError('file_rejected', err.message);
      throw err;
    }
    if (!declared) {
      throw new ApiError(
        'file_rejected',
        `${req.fileName}: neither its contentType nor its name says what kind of file it is. Send its real type, e.g. application/pdf.`,
      );
    }
    return declared;
  }

  private async assertEncounter(actor: Actor, patientId: string, encounterId: string) {
    const encounter = await new PatientRepository(this.d.database.db).findEncounter(
      actor.organizationId,
      encounterId,
    );
    if (!encounter || encounter.patient_id !== patientId) {
      throw new ApiError(
        'validation_failed',
        "encounterId is not one of this patient's encounters",
      );
    }
  }

  private async find(actor: Actor, id: string): Promise<UploadRow> {
    const upload = await new UploadRepository(this.d.database.db).find(actor.organizationId, id);
    if (!upload) throw notFound('Upload');
    await this.d.access.visiblePatient(actor, upload.patient_id);
    return upload;
  }

  private async pending(actor: Actor, id: string): Promise<UploadRow> {
    const upload = await this.find(actor, id);
    if (upload.status === 'expired' || upload.expires_at <= this.d.clock().toISOString()) {
      throw new ApiError(
        'upload_expired',
        'This upload has expired. Start it again with a new id.',
      );
    }
    if (upload.status !== 'pending') {
      throw new ApiError('conflict', `This upload is ${upload.status}; it takes no more parts.`);
    }
    return upload;
  }

  /** Only one request checks an upload at a time; a check abandoned by a dead server is taken over. */
  private async claimForVerification(actor: Actor, upload: UploadRow): Promise<UploadRow> {
    const repo = new UploadRepository(this.d.database.db);
    const now = this.d.clock();
    const stale = Date.parse(upload.updated_at) < now.getTime() - STALE_VERIFY_MS;
    if (upload.status === 'verifying' && !stale) {
      throw new ApiError(
        'conflict',
        'This upload is being checked right now. Ask again in a moment.',
      );
    }
    if (upload.status !== 'verifying') await this.pending(actor, upload.id);
    const claimed = await repo.transition(upload.id, ['pending', 'verifying'], {
      status: 'verifying',
      updated_at: now.toISOString(),
    });
    if (!claimed)
      throw new ApiError('conflict', 'This upload changed meanwhile. Ask for its state again.');
    return { ...upload, status: 'verifying', updated_at: now.toISOString() };
  }

  /** Asks storage to assemble the parts; an earlier, interrupted `complete` may already have. */
  private async assemble(upload: UploadRow, req: CompleteUpload): Promise<void> {
    try {
      await this.d.storage.completeMultipartUpload(
        upload.storage_key,
        upload.storage_upload_id,
        [...req.parts].sort((a, b) => a.partNumber - b.partNumber),
      );
    } catch (err) {
      const head = await this.d.storage.headObject(upload.storage_key);
      if (head && head.size === Number(upload.size)) return;
      if (err instanceof UploadNotFoundError) {
        await this.restartSession(upload);
        throw new ApiError(
          'conflict',
          'The storage service dropped the parts received so far (uploads left unfinished expire there). Send all parts again, then complete.',
        );
      }
      if (err instanceof InvalidPartError) throw new ApiError('conflict', err.message);
      throw err;
    }
  }

  /**
   * Starts a fresh multipart session for an upload whose session the storage provider ended
   * (Cloudflare R2 aborts incomplete uploads after 7 days); the client sends every part again.
   */
  private async restartSession(upload: UploadRow): Promise<UploadRow> {
    const storageUploadId = await this.d.storage.createMultipartUpload(
      upload.storage_key,
      upload.content_type,
    );
    const changes = {
      storage_upload_id: storageUploadId,
      status: 'pending' as const,
      updated_at: this.d.clock().toISOString(),
    };
    await new UploadRepository(this.d.database.db).update(upload.id, changes);
    return { ...upload, ...changes };
  }

  private async fail(upload: UploadRow, reason: string): Promise<void> {
    await this.discard(upload);
    await new UploadRepository(this.d.database.db).update(upload.id, {
      status: 'failed',
      error: reason,
      updated_at: this.d.clock().toISOString(),
    });
  }

  /** Removes whatever bytes an upload left in storage. */
  private async discard(upload: UploadRow): Promise<void> {
    await this.d.storage.abortMultipartUpload(upload.storage_key, upload.storage_upload_id);
    await this.d.storage.deleteObject(upload.storage_key);
    await this.d.storage.deleteObject(thumbnailKey(upload.storage_key));
  }

  /** The parts storage holds; an empty list after the provider dropped the session. */
  private async partsHeld(u: UploadRow) {
    try {
      return await this.d.storage.listParts(u.storage_key, u.storage_upload_id);
    } catch (err) {
      if (!(err instanceof UploadNotFoundError)) throw err;
      await this.restartSession(u);
      return [];
    }
  }

  private newDocument(u: UploadRow): NewDocument {
    return {
      id: u.id,
      patient_id: u.patient_id,
      encounter_id: u.encounter_id,
      title: u.title,
      category: u.category,
      content_type: u.content_type,
      url: this.d.storageUri(u.storage_key),
      file_size: Number(u.size),
      sha256: u.sha256,
      thumbnail_url: u.thumbnail_key ? this.d.storageUri(u.thumbnail_key) : null,
      document_date: u.document_date ?? u.created_at.slice(0, 10),
      source: u.source,
      storage_key: u.storage_key,
      thumbnail_key: u.thumbnail_key,
      thumbnail_status: u.thumbnail_status ?? 'none',
      file_name: u.file_name,
    };
  }

  private async state(actor: Actor, u: UploadRow): Promise<UploadState> {
    const parts = u.status === 'pending' ? await this.partsHeld(u) : null;
    let document: DocumentReference | null = null;
    if (u.document_id) document = toDocument(await this.d.documents.readable(actor, u.document_id));
    return {
      id: u.id,
      status: u.status,
      batchId: u.batch_id,
      size: Number(u.size),
      partSize: Number(u.part_size),
      partCount: u.part_count,
      expiresAt: u.expires_at,
      parts,
      documentId: u.document_id,
      error: u.error,
      document,
    };
  }
}

/** "Scan 2026-03-01.pdf" → "Scan 2026-03-01" */
function titleFrom(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return (dot > 0 ? fileName.slice(0, dot) : fileName).slice(0, 200) || 'Document';
}

function sameRequest(u: UploadRow, r: UploadCreate): boolean {
  return (
    u.patient_id === r.patientId &&
    (u.encounter_id ?? null) === (r.encounterId ?? null) &&
    u.category === r.category &&
    u.title === r.title &&
    u.file_name === r.fileName &&
    Number(u.size) === r.size &&
    u.sha256 === r.sha256 &&
    (u.document_date ?? null) === (r.documentDate ?? null) &&
    (u.batch_id ?? null) === (r.batchId ?? null)
  );
}

function assertAllParts(upload: UploadRow, req: CompleteUpload): void {
  const numbers = req.parts.map((p) => p.partNumber).sort((a, b) => a - b);
  const expected = Array.from({ length: upload.part_count }, (_, i) => i + 1);
  if (numbers.length !== expected.length || numbers.some((n, i) => n !== expected[i])) {
    throw new ApiError(
      'validation_failed',
      `parts: this upload has ${upload.part_count} part(s); list each of 1…${upload.part_count} once with its ETag`,
    );
  }
}
