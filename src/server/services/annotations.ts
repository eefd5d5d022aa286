// Document annotations: list, create, change and soft-delete, each checked like the document
// it marks up, each audited, each change announced as an activity event.
//
// Policy:
// - Listing needs read access to the document (organization, patient ACL, category read), the
//   same as viewing it.
// - Creating, changing and deleting also need write access to the document's category: billing,
//   who may not touch a lab report, may not mark one up either.
// - Only the author changes or deletes an annotation; an administrator may remove anyone's. An
//   annotation shows who made it, so editing another person's would put words in their mouth.
// - A deleted document takes no new annotations and no changes to its old ones.
// - Changes name the version they were made against; a stale one answers 409 `conflict` with the
//   annotation as it is now, so a client can offer to reload rather than overwrite.
import { randomUUID } from 'node:crypto';
import {
  CONTENT_BY_KIND,
  MAX_ANNOTATIONS_PER_DOCUMENT,
  type Annotation,
  type AnnotationCreate,
  type AnnotationKind,
  type AnnotationPatch,
} from '../../shared/api/annotations.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { ApiError, notFound } from '../errors.js';
import {
  AnnotationRepository,
  type AnnotationRow,
  type NamedAnnotationRow,
} from '../repositories/annotations.js';
import type { DocumentRow } from '../repositories/documents.js';
import type { AccessService } from './access.js';
import type { AuditService } from './audit.js';
import { auditContextOf, type Actor } from './auth.js';
import type { DocumentService } from './documents.js';
import type { ActivityService } from './events.js';

/** A stale version: carries the annotation as it is now, for the 409 answer. */
export class AnnotationConflictError extends ApiError {
  constructor(readonly current: Annotation) {
    super(
      'conflict',
      `This annotation was changed by someone else (it is now at version ${current.version}). Reload it to see the change, then edit again.`,
    );
  }
}

export class AnnotationService {
  constructor(
    private readonly database: Database,
    private readonly access: AccessService,
    private readonly documents: DocumentService,
    private readonly audit: AuditService,
    private readonly activity: ActivityService,
    private readonly clock: Clock,
  ) {}

  async list(actor: Actor, documentId: string): Promise<Annotation[]> {
    const doc = await this.documents.readable(actor, documentId);
    const rows = await new AnnotationRepository(this.database.db).listForDocument(
      actor.organizationId,
      doc.id,
    );
    await this.audit.record(auditContextOf(actor), {
      action: 'annotation.list',
      entityType: 'document',
      entityId: doc.id,
      patientId: doc.patient_id,
      details: { results: rows.length },
    });
    return rows.map(toAnnotation);
  }

  /**
   * A create sent again with its client-made id (the first answer was lost, or the app crashed
   * before it noted it) answers the annotation the first one made. The id used for anything
   * else — another document, another author, a deleted annotation — is refused.
   */
  private async replayedCreate(
    actor: Actor,
    documentId: string,
    id: string,
    repo: AnnotationRepository,
  ): Promise<Annotation | null> {
    const existing = await repo.anyWithId(id);
    if (!existing) return null;
    const same =
      existing.organization_id === actor.organizationId &&
      existing.document_id === documentId &&
      existing.created_by === actor.userId &&
      existing.deleted_at === null;
    const row = same ? await repo.find(actor.organizationId, id) : undefined;
    if (!row) {
      throw new ApiError(
        'conflict',
        'This annotation id is already in use. Create the annotation without an id, or with a new one.',
      );
    }
    return toAnnotation(row);
  }

  async create(actor: Actor, documentId: string, input: AnnotationCreate): Promise<Annotation> {
    const doc = await this.writableDocument(actor, documentId);
    const repo = new AnnotationRepository(this.database.db);
    if (input.id) {
      const replay = await this.replayedCreate(actor, doc.id, input.id, repo);
      if (replay) return replay;
    }
    if (
      (await repo.countForDocument(actor.organizationId, doc.id)) >= MAX_ANNOTATIONS_PER_DOCUMENT
    ) {
      throw new ApiError(
        'conflict',
        `This document already has ${MAX_ANNOTATIONS_PER_DOCUMENT} annotations, the most one document may carry. Delete some before adding more.`,
      );
    }
    const now = this.clock().toISOString();
    const row: AnnotationRow = {
      id: input.id ?? randomUUID(),
      organization_id: actor.organizationId,
      document_id: doc.id,
      type: input.type,
      content: JSON.stringify(input.content),
      page_number: input.pageNumber,
      version: 1,
      created_by: actor.userId,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    };
    await this.database.db.transaction().execute(async (trx) => {
      await new AnnotationRepository(trx).insert(row);
      await this.audit.record(
        auditContextOf(actor),
        {
          action: 'annotation.create',
          entityType: 'annotation',
          entityId: row.id,
          patientId: doc.patient_id,
          details: { documentId: doc.id, type: row.type, pageNumber: row.page_number },
        },
        trx,
      );
      await this.activity.emit(trx, this.event(actor, doc, row.id, 'annotation.created'));
    });
    return toAnnotation({ ...row, created_by_name: actor.name });
  }

  async update(actor: Actor, id: string, patch: AnnotationPatch): Promise<Annotation> {
    const { current, doc } = await this.changeable(actor, id, patch.version);
    const content = patch.content && this.checkedContent(current.type, patch.content);
    const changed = [
      ...(content !== undefined ? ['content'] : []),
      ...(patch.pageNumber !== undefined ? ['pageNumber'] : []),
    ];
    const updatedAt = this.clock().toISOString();
    const changes = {
      ...(content !== undefined && { content: JSON.stringify(content) }),
      ...(patch.pageNumber !== undefined && { page_number: patch.pageNumber }),
      updated_at: updatedAt,
    };
    await this.database.db.transaction().execute(async (trx) => {
      const repo = new AnnotationRepository(trx);
      if (!(await repo.updateAtVersion(actor.organizationId, id, patch.version, changes))) {
        throw await this.lostRace(actor, id);
      }
      await this.audit.record(
        auditContextOf(actor),
        {
          action: 'annotation.update',
          entityType: 'annotation',
          entityId: id,
          patientId: doc.patient_id,
          details: { documentId: doc.id, fromVersion: patch.version, changed },
        },
        trx,
      );
      await this.activity.emit(trx, this.event(actor, doc, id, 'annotation.updated'));
    });
    return toAnnotation({ ...current, ...changes, version: patch.version + 1 });
  }

  async remove(actor: Actor, id: string, version: number): Promise<void> {
    const { doc } = await this.changeable(actor, id, version);
    const now = this.clock().toISOString();
    await this.database.db.transaction().execute(async (trx) => {
      const repo = new AnnotationRepository(trx);
      if (!(await repo.deleteAtVersion(actor.organizationId, id, version, now))) {
        throw await this.lostRace(actor, id);
      }
      await this.audit.record(
        auditContextOf(actor),
        {
          action: 'annotation.delete',
          entityType: 'annotation',
          entityId: id,
          patientId: doc.patient_id,
          details: { documentId: doc.id, version },
        },
        trx,
      );
      await this.activity.emit(trx, this.event(actor, doc, id, 'annotation.deleted'));
    });
  }

  /** The document, if the actor may read it, may write its category, and it is not deleted. */
  private async writableDocument(actor: Actor, documentId: string): Promise<DocumentRow> {
    const doc = await this.documents.readable(actor, documentId);
    if (doc.deleted_at) {
      throw new ApiError(
        'conflict',
        'This document is deleted. Restore it before changing its annotations.',
      );
    }
    await this.access.assertCategory(actor, doc.category, 'write');
    return doc;
  }

  /**
   * The annotation and its document, if the actor may change it at `version`: another
   * organization's or a deleted annotation is not found; a stale version is a conflict.
   */
  private async changeable(
    actor: Actor,
    id: string,
    version: number,
  ): Promise<{ current: NamedAnnotationRow; doc: DocumentRow }> {
    const current = await new AnnotationRepository(this.database.db).find(actor.organizationId, id);
    if (!current) throw notFound('Annotation');
    const doc = await this.writableDocument(actor, current.document_id);
    if (current.created_by !== actor.userId && actor.role !== 'admin') {
      throw new ApiError(
        'forbidden',
        `Only ${current.created_by_name}, who made this annotation, or an administrator may change or delete it.`,
      );
    }
    if (current.version !== version) throw new AnnotationConflictError(toAnnotation(current));
    return { current, doc };
  }

  /** After a conditional write changed nothing: someone else changed or deleted it first. */
  private async lostRace(actor: Actor, id: string): Promise<ApiError> {
    const now = await new AnnotationRepository(this.database.db).find(actor.organizationId, id);
    return now ? new AnnotationConflictError(toAnnotation(now)) : notFound('Annotation');
  }

  private checkedContent(type: string, content: unknown): unknown {
    const schema = CONTENT_BY_KIND[type as AnnotationKind];
    const parsed = schema.safeParse(content);
    if (!parsed.success) {
      const reasons = parsed.error.issues
        .map((i) => `content${i.path.length ? `.${i.path.join('.')}` : ''}: ${i.message}`)
        .join('; ');
      throw new ApiError(
        'validation_failed',
        `The content does not fit a ${type} annotation: ${reasons}`,
      );
    }
    return parsed.data;
  }

  private event(actor: Actor, doc: DocumentRow, annotationId: string, type: string) {
    return {
      organizationId: actor.organizationId,
      type,
      entityType: 'annotation',
      entityId: annotationId,
      patientId: doc.patient_id,
      actorId: actor.userId,
      payload: { documentId: doc.id },
    };
  }
}

export function toAnnotation(row: NamedAnnotationRow): Annotation {
  return {
    id: row.id,
    documentId: row.document_id,
    pageNumber: Number(row.page_number),
    version: Number(row.version),
    createdBy: row.created_by,
    createdByName: row.created_by_name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    type: row.type,
    content: JSON.parse(row.content) as unknown,
  } as Annotation;
}
