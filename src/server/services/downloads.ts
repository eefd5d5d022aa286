// Short-lived signed URLs for a document's file and thumbnail, issued after the same access
// checks as viewing it, and audited; plus what the local file route needs to serve one.
import type { DocumentUrls, UrlRequest } from '../../shared/api/schemas.js';
import type { Database } from '../db/database.js';
import type { Clock } from '../clock.js';
import type { ByteRange, FileStorage } from '../storage/types.js';
import { auditContextOf, type Actor } from './auth.js';
import type { AuditService } from './audit.js';
import type { DocumentService } from './documents.js';

export interface DownloadAuditContext {
  clientAddress: string | null;
  userAgent: string | null;
  range?: ByteRange;
}

export interface ServedFile {
  contentType: string;
  fileName: string;
  audit(ctx: DownloadAuditContext): Promise<void>;
}

export class DownloadService {
  constructor(
    private readonly database: Database,
    private readonly storage: FileStorage,
    private readonly documents: DocumentService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async documentUrls(actor: Actor, id: string, req: UrlRequest): Promise<DocumentUrls> {
    const doc = await this.documents.readable(actor, id);
    const common = { expiresInSeconds: req.expiresInSeconds, documentId: doc.id };
    const url = await this.storage.signDownload({
      ...common,
      key: doc.storage_key,
      contentType: doc.content_type,
      fileName: doc.file_name || `${doc.id}`,
      disposition: req.disposition,
    });
    const thumbnailUrl = doc.thumbnail_key
      ? await this.storage.signDownload({
          ...common,
          key: doc.thumbnail_key,
          contentType: 'image/jpeg',
          fileName: thumbnailName(doc.file_name),
          disposition: 'inline',
        })
      : null;
    await this.audit.record(auditContextOf(actor), {
      action: 'document.url',
      entityType: 'document',
      entityId: doc.id,
      patientId: doc.patient_id,
      details: { expiresInSeconds: req.expiresInSeconds, disposition: req.disposition },
    });
    const expiresAt = new Date(this.clock().getTime() + req.expiresInSeconds * 1000).toISOString();
    return { url, thumbnailUrl, expiresAt };
  }

  /**
   * For a validly signed local URL: what is served and how to audit it. The signature already
   * binds key and document; this also requires the key to still be the document's.
   */
  async servedFile(documentId: string, key: string): Promise<ServedFile | null> {
    if (documentId.startsWith('profile.')) return this.servedProfile(documentId, key);
    const doc = await this.database.db
      .selectFrom('document_references')
      .selectAll()
      .where('id', '=', documentId)
      .executeTakeFirst();
    if (!doc || (key !== doc.storage_key && key !== doc.thumbnail_key)) return null;
    const isThumbnail = key === doc.thumbnail_key;
    return {
      contentType: isThumbnail ? 'image/jpeg' : doc.content_type,
      fileName: isThumbnail ? thumbnailName(doc.file_name) : doc.file_name || doc.id,
      audit: (ctx) =>
        this.audit.record(
          {
            organizationId: doc.organization_id,
            userId: null,
            clientAddress: ctx.clientAddress,
            userAgent: ctx.userAgent,
          },
          {
            action: isThumbnail ? 'file.thumbnail.read' : 'file.read',
            entityType: 'document',
            entityId: doc.id,
            patientId: doc.patient_id,
            details: ctx.range ? { range: `${ctx.range.start}-${ctx.range.end}` } : undefined,
          },
        ),
    };
  }

  private async servedProfile(resourceId: string, key: string): Promise<ServedFile | null> {
    const [, type, ownerId, organizationId] = resourceId.split('.');
    if (!type || !ownerId || !organizationId) return null;
    const row = await this.database.db
      .selectFrom('profile_images')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('owner_type', '=', type as 'patient' | 'practitioner')
      .where('owner_id', '=', ownerId)
      .executeTakeFirst();
    if (!row || (key !== row.image_key && key !== row.avatar_key)) return null;
    return {
      contentType: 'image/jpeg',
      fileName: `${type}-${ownerId}${key === row.avatar_key ? '_avatar' : ''}.jpg`,
      audit: (ctx) =>
        this.audit.record(
          {
            organizationId,
            userId: null,
            clientAddress: ctx.clientAddress,
            userAgent: ctx.userAgent,
          },
          {
            action: 'profile_image.read',
            entityType: type,
            entityId: ownerId,
            patientId: type === 'patient' ? ownerId : null,
          },
        ),
    };
  }
}

export function thumbnailName(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return `${dot > 0 ? fileName.slice(0, dot) : fileName || 'document'}_thumb.jpg`;
}
