// Profile images of patients and practitioners (the product guide's ProfileImageService):
// resized to 512×512 with a 96 px avatar beside it; a replacement removes the old objects.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import type { ProfileImage } from '../../shared/api/schemas.js';
import { FileProblem, type FileLimits } from '../../shared-node/files/types.js';
import { validateFile } from '../../shared-node/files/validate.js';
import type { Database } from '../db/database.js';
import type { Clock } from '../clock.js';
import { ApiError, notFound } from '../errors.js';
import { profileKey, thumbnailKey } from '../storage/keys.js';
import type { FileStorage } from '../storage/types.js';
import type { AccessService } from './access.js';
import { auditContextOf, type Actor } from './auth.js';
import type { AuditService } from './audit.js';

export type ProfileType = 'patient' | 'practitioner';

const IMAGE_SIZE = 512;
const AVATAR_SIZE = 96;
const URL_SECONDS = 900;

export class ProfileService {
  constructor(
    private readonly database: Database,
    private readonly storage: FileStorage,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly limits: FileLimits,
    private readonly tmpDir: string,
    private readonly clock: Clock,
  ) {}

  async put(
    actor: Actor,
    type: ProfileType,
    ownerId: string,
    body: Readable,
    contentType: string | undefined,
  ): Promise<ProfileImage> {
    await this.assertMayWrite(actor, type, ownerId);
    const [image, avatar] = await this.resize(body, contentType, `${type} image`);
    const imageKey = profileKey(actor.organizationId, type, ownerId, randomUUID(), 'jpg');
    const avatarKey = thumbnailKey(imageKey);
    await this.storage.putObject(imageKey, image, {
      contentType: 'image/jpeg',
      size: image.length,
    });
    await this.storage.putObject(avatarKey, avatar, {
      contentType: 'image/jpeg',
      size: avatar.length,
    });

    const now = this.clock().toISOString();
    const previous = await this.find(actor.organizationId, type, ownerId);
    await this.database.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('profile_images')
        .values({
          organization_id: actor.organizationId,
          owner_type: type,
          owner_id: ownerId,
          image_key: imageKey,
          avatar_key: avatarKey,
          updated_by: actor.userId,
          updated_at: now,
        })
        .onConflict((oc) =>
          oc.columns(['organization_id', 'owner_type', 'owner_id']).doUpdateSet({
            image_key: imageKey,
            avatar_key: avatarKey,
            updated_by: actor.userId,
            updated_at: now,
          }),
        )
        .execute();
      await this.audit.record(
        auditContextOf(actor),
        {
          action: 'profile_image.update',
          entityType: type,
          entityId: ownerId,
          patientId: type === 'patient' ? ownerId : null,
        },
        trx,
      );
    });
    if (previous) {
      await this.storage.deleteObject(previous.image_key);
      await this.storage.deleteObject(previous.avatar_key);
    }
    return this.urls(actor, type, ownerId, imageKey, avatarKey, now);
  }

  async get(actor: Actor, type: ProfileType, ownerId: string): Promise<ProfileImage> {
    await this.assertMayRead(actor, type, ownerId);
    const row = await this.find(actor.organizationId, type, ownerId);
    if (!row) throw notFound('Profile image');
    await this.audit.record(auditContextOf(actor), {
      action: 'profile_image.view',
      entityType: type,
      entityId: ownerId,
      patientId: type === 'patient' ? ownerId : null,
    });
    return this.urls(actor, type, ownerId, row.image_key, row.avatar_key, row.updated_at);
  }

  private find(organizationId: string, type: ProfileType, ownerId: string) {
    return this.database.db
      .selectFrom('profile_images')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('owner_type', '=', type)
      .where('owner_id', '=', ownerId)
      .executeTakeFirst();
  }

  private async urls(
    actor: Actor,
    type: ProfileType,
    ownerId: string,
    imageKey: string,
    avatarKey: string,
    updatedAt: string,
  ): Promise<ProfileImage> {
    const sign = (key: string, name: string) =>
      this.storage.signDownload({
        key,
        expiresInSeconds: URL_SECONDS,
        contentType: 'image/jpeg',
        fileName: name,
        disposition: 'inline',
        documentId: profileResourceId(actor.organizationId, type, ownerId),
      });
    return {
      url: await sign(imageKey, `${type}-${ownerId}.jpg`),
      avatarUrl: await sign(avatarKey, `${type}-${ownerId}_avatar.jpg`),
      expiresAt: new Date(this.clock().getTime() + URL_SECONDS * 1000).toISOString(),
      updatedAt,
    };
  }

  /** Checks the upload like any image (type by content, pixel limit), then makes both sizes. */
  private async resize(body: Readable, contentType: string | undefined, fileName: string) {
    await mkdir(this.tmpDir, { recursive: true });
    const tmp = path.join(this.tmpDir, `${randomUUID()}.profile`);
    try {
      await pipeline(body, createWriteStream(tmp, { flags: 'wx' }));
      const checked = await validateFile(
        { path: tmp, fileName, declaredType: contentType },
        this.limits,
      );
      if (checked.type.kind !== 'photo') {
        throw new FileProblem(
          'type_mismatch',
          fileName,
          `a profile image must be a photo, not a ${checked.type.label}`,
        );
      }
      const base = sharp(tmp, { limitInputPixels: this.limits.maxPixels }).rotate();
      return await Promise.all([
        base
          .clone()
          .resize(IMAGE_SIZE, IMAGE_SIZE, { fit: 'cover' })
          .jpeg({ quality: 85 })
          .toBuffer(),
        base
          .clone()
          .resize(AVATAR_SIZE, AVATAR_SIZE, { fit: 'cover' })
          .jpeg({ quality: 80 })
          .toBuffer(),
      ]);
    } catch (err) {
      if (err instanceof FileProblem) throw new ApiError('file_rejected', err.message);
      throw new ApiError(
        'file_rejected',
        `${fileName}: the image could not be read (${(err as Error).message})`,
      );
    } finally {
      await rm(tmp, { force: true });
    }
  }

  private async assertMayRead(actor: Actor, type: ProfileType, ownerId: string) {
    if (type === 'patient') await this.access.visiblePatient(actor, ownerId);
    else await this.practitioner(actor, ownerId);
  }

  private async assertMayWrite(actor: Actor, type: ProfileType, ownerId: string) {
    if (type === 'patient') {
      await this.access.visiblePatient(actor, ownerId);
      await this.access.assertCategory(actor, 'photo', 'write');
      return;
    }
    await this.practitioner(actor, ownerId);
    if (actor.userId !== ownerId && actor.role !== 'admin') {
      throw new ApiError(
        'forbidden',
        "Only administrators may change another practitioner's image.",
      );
    }
  }

  private async practitioner(actor: Actor, userId: string) {
    const user = await this.database.db
      .selectFrom('users')
      .select('id')
      .where('organization_id', '=', actor.organizationId)
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!user) throw notFound('Practitioner');
  }
}

/** The resource a profile image URL is bound to, in place of a document id. */
export function profileResourceId(
  organizationId: string,
  type: ProfileType,
  ownerId: string,
): string {
  return `profile.${type}.${ownerId}.${organizationId}`;
}
