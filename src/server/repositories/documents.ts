// SQL for document references. Every query is scoped by organization; list order is
// (document_date, created_at, id) descending, which the indexes of migration 0001 serve.
import {
  PostgresAdapter,
  type CompiledQuery,
  sql,
  type Kysely,
  type RawBuilder,
  type Selectable,
  type Updateable,
} from 'kysely';
import type { Category, DocumentStatus } from '../../shared/domain.js';
import { compileCached } from '../db/prepared.js';
import type { JsonArray } from '../db/read-pool.js';
import type { DB, DocumentReferenceTable } from '../db/schema.js';

export type DocumentRow = Selectable<DocumentReferenceTable>;

/**
 * A document reference as its reader sees it (DocumentReference in src/shared/api/schemas.ts,
 * in that order): each field and the column it comes from. Storage keys stay on the server.
 */
const DOCUMENT_FIELDS = [
  ['id', 'id'],
  ['patientId', 'patient_id'],
  ['encounterId', 'encounter_id'],
  ['title', 'title'],
  ['category', 'category'],
  ['contentType', 'content_type'],
  ['url', 'url'],
  ['fileSize', 'file_size'],
  ['sha256', 'sha256'],
  ['thumbnailUrl', 'thumbnail_url'],
  ['thumbnailStatus', 'thumbnail_status'],
  ['fileName', 'file_name'],
  ['status', 'status'],
  ['documentDate', 'document_date'],
  ['source', 'source'],
  ['createdBy', 'created_by'],
  ['createdAt', 'created_at'],
  ['updatedAt', 'updated_at'],
  ['deletedAt', 'deleted_at'],
  ['deletedBy', 'deleted_by'],
] as const satisfies readonly (readonly [string, keyof DocumentRow])[];

/** A document as lists read it: the columns of DOCUMENT_FIELDS. */
export type ListedDocumentRow = Omit<
  DocumentRow,
  'organization_id' | 'storage_key' | 'thumbnail_key'
>;

/**
 * The document reference of row `d` as JSON text, written by the database: lists return up to
 * a hundred of them, and turning each row's twenty columns into JavaScript values, then
 * objects, then JSON again cost most of the list endpoint's CPU. Every column is text or an
 * integer, so both engines write exactly the values toDocument would.
 */
function documentJson(db: Kysely<DB>): RawBuilder<string> {
  const pairs = sql.join(
    DOCUMENT_FIELDS.map(([field, column]) => sql`${sql.lit(field)}, ${sql.ref(`d.${column}`)}`),
  );
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? sql<string>`json_build_object(${pairs})::text`
    : sql<string>`json_object(${pairs})`;
}

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
  /** LIKE patterns (lower case, escaped with \\) the lower-cased title must all match */
  titleLike?: readonly string[];
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

  /**
   * The documents `f` selects (up to f.limit), the first `take` of them as one JSON array of
   * DocumentReference, run by `run` (Database.jsonArray: on SQLite, a reader thread).
   * listQuery(f), compiled once per combination of filters (the endpoint's hot path).
   */
  list(
    f: DocumentFilter,
    take: number,
    run: (query: CompiledQuery, take: number) => Promise<JsonArray>,
  ): Promise<JsonArray> {
    const { after, ...filter } = f;
    const query = compileCached(
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
    return run(query, take);
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
    for (const pattern of f.titleLike ?? []) {
      q = q.where(sql<boolean>`lower(${sql.ref('d.title')}) like ${pattern} escape '\\'`);
    }
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
      .select(documentJson(this.db).as('json'))
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
