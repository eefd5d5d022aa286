// SQL for document references. Every query is scoped by organization; list order is
// (document_date, created_at, id) descending, which the indexes of migration 0001 serve.
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Category, DocumentStatus } from '../../shared/domain.js';
import { executeCached } from '../db/prepared.js';
import type { DB, DocumentReferenceTable } from '../db/schema.js';

export type DocumentRow = Selectable<DocumentReferenceTable>;

/** The columns a document reference shows its reader; storage keys stay on the server. */
const LISTED_COLUMNS = [
  'd.id',
  'd.patient_id',
  'd.encounter_id',
  'd.title',
  'd.category',
  'd.content_type',
  'd.url',
  'd.file_size',
  'd.sha256',
  'd.thumbnail_url',
  'd.thumbnail_status',
  'd.file_name',
  'd.status',
  'd.document_date',
  'd.source',
  'd.created_by',
  'd.created_at',
  'd.updated_at',
  'd.deleted_at',
  'd.deleted_by',
] as const;

/** A document as lists read it: the columns of LISTED_COLUMNS. */
export type ListedDocumentRow = Omit<
  DocumentRow,
  'organization_id' | 'storage_key' | 'thumbnail_key'
>;

export interface DocumentCursor {
  documentDate: string;
  createdAt: string;
  id: string;
}

export interface DocumentFilter {
  organizationId: string;
  patientId?: string;
  encounterId?: string;
  category?: Category;
  /** When set, only these categories (the ones the caller may read). */
  categories?: readonly Category[];
  from?: string;
  to?: string;
  status?: DocumentStatus;
  deleted: boolean;
  /** Limits the list to patients on this user's care team (patient ACL). */
  grantedTo?: string;
  after?: DocumentCursor;
  limit: number;
}

export class DocumentRepository {
  constructor(private readonly db: Kysely<DB>) {}

  insert(row: DocumentRow): Promise<unknown> {
    return this.db.insertInto('document_references').values(row).execute();
  }

  find(organizationId: string, id: string): Promise<DocumentRow | undefined> {
    return this.db
      .selectFrom('document_references')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** listQuery(f), compiled once per combination of filters (the endpoint's hot path). */
  list(f: DocumentFilter): Promise<ListedDocumentRow[]> {
    const { after, ...filter } = f;
    return executeCached(
      this.db,
      'documents.list',
      {
        ...filter,
        afterDate: after?.documentDate,
        afterCreatedAt: after?.createdAt,
        afterId: after?.id,
      },
      ({ afterDate, afterCreatedAt, afterId, ...rest }) =>
        this.listQuery({
          ...rest,
          after:
            afterDate === undefined
              ? undefined
              : { documentDate: afterDate, createdAt: afterCreatedAt!, id: afterId! },
        }),
    );
  }

  /** The list query itself, exactly as list() runs it, exposed so benchmarks can print its plan. */
  listQuery(f: DocumentFilter) {
    let q = this.db
      .selectFrom('document_references as d')
      .where('d.organization_id', '=', f.organizationId);
    if (f.patientId) q = q.where('d.patient_id', '=', f.patientId);
    if (f.encounterId) q = q.where('d.encounter_id', '=', f.encounterId);
    if (f.category) q = q.where('d.category', '=', f.category);
    if (f.categories) q = q.where('d.category', 'in', f.categories);
    if (f.from) q = q.where('d.document_date', '>=', f.from);
    if (f.to) q = q.where('d.document_date', '<=', f.to);
    if (f.status) q = q.where('d.status', '=', f.status);
    q = q.where('d.deleted_at', f.deleted ? 'is not' : 'is', null);
    if (f.grantedTo) {
      const userId = f.grantedTo;
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('patient_access as a')
            .select('a.patient_id')
            .whereRef('a.patient_id', '=', 'd.patient_id')
            .where('a.user_id', '=', userId),
        ),
      );
    }
    if (f.after) {
      const { documentDate, createdAt, id } = f.after;
      q = q.where((eb) =>
        eb(
          eb.refTuple('d.document_date', 'd.created_at', 'd.id'),
          '<',
          eb.tuple(documentDate, createdAt, id),
        ),
      );
    }
    return q
      .select(LISTED_COLUMNS)
      .orderBy('d.document_date', 'desc')
      .orderBy('d.created_at', 'desc')
      .orderBy('d.id', 'desc')
      .limit(f.limit);
  }

  update(
    organizationId: string,
    id: string,
    changes: Updateable<DocumentReferenceTable>,
  ): Promise<unknown> {
    return this.db
      .updateTable('document_references')
      .set(changes)
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .execute();
  }
}
