// Signed thumbnail URLs for many documents in one request (a page of the gallery): the same
// access rules as documents/:id/urls — organization, patient ACL, category policy, soft
// deletion — applied in one query, and one audit entry for the request.
import type { ThumbnailUrlsRequest, ThumbnailUrls } from '../../shared/api/document-urls.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { DocumentUrlRepository } from '../repositories/document-urls.js';
import type { FileStorage } from '../storage/types.js';
import type { AccessService } from './access.js';
import type { AuditService } from './audit.js';
import { auditContextOf, type Actor } from './auth.js';
import { thumbnailName } from './downloads.js';

export class DocumentUrlService {
  constructor(
    private readonly database: Database,
    private readonly storage: FileStorage,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async thumbnailUrls(actor: Actor, req: ThumbnailUrlsRequest): Promise<ThumbnailUrls> {
    const ids = [...new Set(req.ids)];
    const categories = await this.access.readableCategories(actor);
    const rows =
      categories?.length === 0
        ? []
        : await new DocumentUrlRepository(this.database.db).visibleThumbnails({
            organizationId: actor.organizationId,
            ids,
            categories,
            includeDeleted: actor.role === 'admin',
            grantedTo: this.access.aclApplies(actor) ? actor.userId : undefined,
          });
    const urls: Record<string, string | null> = Object.fromEntries(ids.map((id) => [id, null]));
    const signed = rows.filter((row) => row.thumbnail_key !== null);
    await Promise.all(
      signed.map(async (row) => {
        urls[row.id] = await this.storage.signDownload({
          key: row.thumbnail_key!,
          documentId: row.id,
          expiresInSeconds: req.expiresInSeconds,
          contentType: 'image/jpeg',
          fileName: thumbnailName(row.file_name),
          disposition: 'inline',
        });
      }),
    );
    const patients = new Set(signed.map((row) => row.patient_id));
    await this.audit.record(auditContextOf(actor), {
      action: 'document.thumbnail_urls',
      entityType: 'document',
      patientId: patients.size === 1 ? [...patients][0]! : null,
      details: {
        requested: ids.length,
        documentIds: signed.map((row) => row.id),
        expiresInSeconds: req.expiresInSeconds,
      },
    });
    const expiresAt = new Date(this.clock().getTime() + req.expiresInSeconds * 1000).toISOString();
    return { urls, expiresAt };
  }
}
