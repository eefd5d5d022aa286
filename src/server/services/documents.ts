// Document references: listing, viewing, editing, soft deletion and restore, each checked
// against organization, patient access and category policy, and each audited.
import type {
  DocumentListQuery,
  DocumentPatch,
  DocumentReference,
} from '../../shared/api/schemas.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';
import type { Clock } from '../clock.js';
import { wrapJsonArray } from '../db/read-pool.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { ApiError, notFound } from '../errors.js';
import {
  DocumentRepository,
  type DocumentRow,
  type ListedDocumentRow,
} from '../repositories/documents.js';
import { PatientRepository } from '../repositories/patients.js';
import { assertPermitted, readableIn, type AccessService } from './access.js';
import { auditContextOf, type Actor } from './auth.js';
import type { AuditService } from './audit.js';
import type { ActivityService } from './events.js';

/** A checked, stored file about to become a document. */
export type NewDocument = Omit<
  DocumentRow,
  | 'organization_id'
  | 'created_by'
  | 'created_at'
  | 'updated_at'
  | 'deleted_at'
  | 'deleted_by'
  | 'status'
>;

/**
 * A response body already written as JSON text, for the route to send unchanged. The list's
 * items come as JSON from the database (DocumentRepository.list).
 */
export interface SerializedPage {
  json: Buffer;
  /** To call once `json` has been sent: its memory is reused (see JsonArray.recycle). */
  sent(): void;
}

const ITEMS_START = Buffer.from('{"items":');

export class DocumentService {
  constructor(
    private readonly database: Database,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly activity: ActivityService,
    private readonly clock: Clock,
  ) {}

  /**
   * Creates documents, their audit entries and their document.created events inside the
   * caller's transaction, so a batch becomes visible all at once or not at all.
   */
  async insertNew(trx: Kysely<DB>, actor: Actor, docs: NewDocument[]): Promise<DocumentRow[]> {
    const now = this.clock().toISOString();
    const rows: DocumentRow[] = [];
    for (const doc of docs) {
      const row: DocumentRow = {
        ...doc,
        organization_id: actor.organizationId,
        status: 'current',
        created_by: actor.userId,
        created_at: now,
        updated_at: now,
        deleted_at: null,
        deleted_by: null,
      };
      await new DocumentRepository(trx).insert(row);
      await this.audit.record(
        auditContextOf(actor),
        {
          action: 'document.create',
          entityType: 'document',
          entityId: row.id,
          patientId: row.patient_id,
          details: { source: row.source, size: row.file_size, contentType: row.content_type },
        },
        trx,
      );
      await this.activity.emit(trx, {
        ...this.eventBase(actor, row),
        type: 'document.created',
        payload: { category: row.category, contentType: row.content_type, source: row.source },
      });
      rows.push(row);
    }
    return rows;
  }

  private eventBase(actor: Actor, row: DocumentRow) {
    return {
      organizationId: actor.organizationId,
      entityType: 'document',
      entityId: row.id,
      patientId: row.patient_id,
      actorId: actor.userId,
    };
  }

  /** One page of the documents the actor may read, as the response's JSON (Page<DocumentReference>). */
  async list(actor: Actor, query: DocumentListQuery): Promise<SerializedPage> {
    const deleted = query.status === 'deleted';
    if (deleted) this.assertAdmin(actor, 'list deleted documents');
    if (query.patientId) await this.access.assertPatientVisible(actor, query.patientId);
    // One policy read serves both the category check and the category filter.
    const permissions = await this.access.permissions(actor);
    if (query.category) assertPermitted(actor, permissions, query.category, 'read');
    const after = query.cursor ? decodeCursor(query.cursor, 3) : undefined;
    const page = await new DocumentRepository(this.database.db).list(
      {
        organizationId: actor.organizationId,
        patientId: query.patientId,
        encounterId: query.encounterId,
        category: query.category,
        categories: readableIn(permissions),
        from: query.from,
        to: query.to,
        status: query.status === 'deleted' ? undefined : query.status,
        titleLike: query.q ? titlePatterns(query.q) : undefined,
        deleted,
        grantedTo: this.access.aclApplies(actor) && !query.patientId ? actor.userId : undefined,
        after: after && { documentDate: after[0]!, createdAt: after[1]!, id: after[2]! },
        limit: query.limit + 1,
      },
      query.limit,
      this.database.jsonArray,
    );
    const last = page.last ? (JSON.parse(page.last) as DocumentReference) : null;
    const nextCursor = last ? encodeCursor([last.documentDate, last.createdAt, last.id]) : null;
    await this.audit.record(auditContextOf(actor), {
      action: 'document.list',
      entityType: 'document',
      patientId: query.patientId ?? null,
      details: {
        filter: { ...query, cursor: undefined, limit: undefined },
        results: Math.min(page.count, query.limit),
      },
    });
    return {
      json: wrapJsonArray(page, ITEMS_START, `,"nextCursor":${JSON.stringify(nextCursor)}}`),
      sent: page.recycle,
    };
  }

  async get(actor: Actor, id: string): Promise<DocumentReference> {
    const row = await this.readable(actor, id);
    await this.audit.record(auditContextOf(actor), {
      action: 'document.view',
      entityType: 'document',
      entityId: id,
      patientId: row.patient_id,
    });
    return toDocument(row);
  }

  async update(actor: Actor, id: string, patch: DocumentPatch): Promise<DocumentReference> {
    const current = await this.readable(actor, id);
    if (current.deleted_at) {
      throw new ApiError('conflict', 'This document is deleted. Restore it before editing.');
    }
    await this.access.assertCategory(actor, current.category, 'write');
    if (patch.category) await this.access.assertCategory(actor, patch.category, 'write');
    if (patch.encounterId) {
      const encounter = await new PatientRepository(this.database.db).findEncounter(
        actor.organizationId,
        patch.encounterId,
      );
      if (!encounter || encounter.patient_id !== current.patient_id) {
        throw new ApiError(
          'validation_failed',
          "encounterId is not one of this patient's encounters",
        );
      }
    }
    const changes = {
      ...(patch.title !== undefined && { title: patch.title }),
      ...(patch.category !== undefined && { category: patch.category }),
      ...(patch.encounterId !== undefined && { encounter_id: patch.encounterId }),
      ...(patch.documentDate !== undefined && { document_date: patch.documentDate }),
    };
    const updatedAt = this.clock().toISOString();
    await this.database.db.transaction().execute(async (trx) => {
      await new DocumentRepository(trx).update(actor.organizationId, id, {
        ...changes,
        updated_at: updatedAt,
      });
      await this.audit.record(
        auditContextOf(actor),
        {
          action: 'document.update',
          entityType: 'document',
          entityId: id,
          patientId: current.patient_id,
          details: { changed: Object.keys(patch), from: pick(current, changes) },
        },
        trx,
      );
      await this.activity.emit(trx, {
        ...this.eventBase(actor, current),
        type: 'document.updated',
        payload: { changed: Object.keys(patch) },
      });
    });
    return toDocument({ ...current, ...changes, updated_at: updatedAt });
  }

  async remove(actor: Actor, id: string): Promise<void> {
    this.assertAdmin(actor, 'delete documents');
    const current = await this.readable(actor, id);
    const now = this.clock().toISOString();
    await this.database.db.transaction().execute(async (trx) => {
      if (!current.deleted_at) {
        await new DocumentRepository(trx).update(actor.organizationId, id, {
          deleted_at: now,
          deleted_by: actor.userId,
          updated_at: now,
        });
      }
      await this.audit.record(
        auditContextOf(actor),
        {
          action: 'document.delete',
          entityType: 'document',
          entityId: id,
          patientId: current.patient_id,
          details: current.deleted_at ? { alreadyDeletedAt: current.deleted_at } : undefined,
        },
        trx,
      );
      if (!current.deleted_at) {
        await this.activity.emit(trx, {
          ...this.eventBase(actor, current),
          type: 'document.deleted',
          payload: {},
        });
      }
    });
  }

  async restore(actor: Actor, id: string): Promise<DocumentReference> {
    this.assertAdmin(actor, 'restore documents');
    const current = await this.readable(actor, id);
    if (!current.deleted_at) throw new ApiError('conflict', 'This document is not deleted.');
    const now = this.clock().toISOString();
    await this.database.db.transaction().execute(async (trx) => {
      await new DocumentRepository(trx).update(actor.organizationId, id, {
        deleted_at: null,
        deleted_by: null,
        updated_at: now,
      });
      await this.audit.record(
        auditContextOf(actor),
        {
          action: 'document.restore',
          entityType: 'document',
          entityId: id,
          patientId: current.patient_id,
          details: { deletedAt: current.deleted_at, deletedBy: current.deleted_by },
        },
        trx,
      );
      await this.activity.emit(trx, {
        ...this.eventBase(actor, current),
        type: 'document.restored',
        payload: {},
      });
    });
    return toDocument({ ...current, deleted_at: null, deleted_by: null, updated_at: now });
  }

  /**
   * The document if the actor may read it: same organization, visible patient, readable
   * category; soft-deleted documents exist only for administrators.
   */
  async readable(actor: Actor, id: string): Promise<DocumentRow> {
    const row = await new DocumentRepository(this.database.db).find(actor.organizationId, id);
    if (!row || (row.deleted_at && actor.role !== 'admin')) throw notFound('Document');
    await this.access.assertPatientVisible(actor, row.patient_id);
    await this.access.assertCategory(actor, row.category, 'read');
    return row;
  }

  private assertAdmin(actor: Actor, what: string): void {
    if (actor.role !== 'admin') {
      throw new ApiError('admin_only', `Only administrators may ${what}.`);
    }
  }
}

function pick(row: DocumentRow, changes: Partial<DocumentRow>): Partial<DocumentRow> {
  const before: Partial<DocumentRow> = {};
  for (const key of Object.keys(changes) as (keyof DocumentRow)[]) {
    (before as Record<string, unknown>)[key] = row[key];
  }
  return before;
}

export function toDocument(row: ListedDocumentRow): DocumentReference {
  return {
    id: row.id,
    patientId: row.patient_id,
    encounterId: row.encounter_id,
    title: row.title,
    category: row.category,
    contentType: row.content_type,
    url: row.url,
    fileSize: Number(row.file_size),
    sha256: row.sha256,
    thumbnailUrl: row.thumbnail_url,
    thumbnailStatus: row.thumbnail_status,
    fileName: row.file_name,
    status: row.status,
    documentDate: row.document_date,
    source: row.source,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
    deletedBy: row.deleted_by,
  };
}

/** One LIKE pattern per word of a title search: contains the word, in any case. */
function titlePatterns(q: string): string[] {
  return q
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}
