// Checks a stored or received file before it becomes a document: exact size and SHA-256, type
// by content (shared checks, the same the desktop runs), and its thumbnail. Works on a private
// temporary copy so a file of any size is checked in bounded memory.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { makeThumbnail } from '../../shared-node/files/thumbnails.js';
import {
  FileProblem,
  type DetectedType,
  type FileLimits,
  type ThumbnailResult,
} from '../../shared-node/files/types.js';
import { sha256File, validateFile } from '../../shared-node/files/validate.js';
import { thumbnailKey } from '../storage/keys.js';
import type { FileStorage } from '../storage/types.js';
import type { ThumbnailState } from '../db/schema.js';

export interface InspectedFile {
  type: DetectedType;
  size: number;
  sha256: string;
  thumbnail: ThumbnailResult;
}

export interface StoredThumbnail {
  key: string | null;
  status: ThumbnailState;
}

export class FileInspector {
  constructor(
    private readonly storage: FileStorage,
    private readonly limits: FileLimits,
    private readonly tmpDir: string,
  ) {}

  /** Copies `source` to a temporary file, then checks it; the copy is always removed. */
  async inspect(
    source: Readable,
    file: { fileName: string; contentType?: string; size?: number; sha256?: string },
  ): Promise<InspectedFile> {
    await mkdir(this.tmpDir, { recursive: true });
    const tmp = path.join(this.tmpDir, `${randomUUID()}.part`);
    try {
      const hash = createHash('sha256');
      let size = 0;
      const tap = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(source, tap, createWriteStream(tmp, { flags: 'wx' }));
      const sha256 = hash.digest('hex');
      if (file.size !== undefined && size !== file.size) {
        throw new FileProblem(
          'corrupt',
          file.fileName,
          `${size} bytes arrived but ${file.size} were announced. Upload the file again.`,
        );
      }
      if (file.sha256 !== undefined && sha256 !== file.sha256) {
        throw new FileProblem(
          'corrupt',
          file.fileName,
          'the content does not match its SHA-256 checksum: it was changed or damaged on the way. Upload the file again.',
        );
      }
      return { ...(await this.check(tmp, file)), size, sha256 };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** Type by content, integrity and thumbnail of a file already on this machine. */
  private async check(
    filePath: string,
    file: { fileName: string; contentType?: string },
  ): Promise<Pick<InspectedFile, 'type' | 'thumbnail'>> {
    const checked = await validateFile(
      { path: filePath, fileName: file.fileName, declaredType: file.contentType },
      this.limits,
    );
    const thumbnail = await makeThumbnail(filePath, checked.type, {
      maxPixels: this.limits.maxPixels,
    });
    return { type: checked.type, thumbnail };
  }

  inspectStored(
    key: string,
    file: { fileName: string; contentType: string; size: number; sha256: string },
  ): Promise<InspectedFile> {
    return this.storage.readObject(key).then((stream) => this.inspect(stream, file));
  }

  /** Checks a file received whole (already a private temporary file) in place, without a copy. */
  async inspectLocal(
    filePath: string,
    file: { fileName: string; contentType?: string },
  ): Promise<InspectedFile> {
    const { type, thumbnail } = await this.check(filePath, file);
    const { size } = await stat(filePath);
    return { type, thumbnail, size, sha256: await sha256File(filePath) };
  }

  /** Stores the thumbnail beside the original, if one could be made. */
  async storeThumbnail(originalKey: string, thumbnail: ThumbnailResult): Promise<StoredThumbnail> {
    if (thumbnail.status !== 'ready') return { key: null, status: thumbnail.status };
    const key = thumbnailKey(originalKey);
    await this.storage.putObject(key, thumbnail.jpeg, {
      contentType: 'image/jpeg',
      size: thumbnail.jpeg.length,
    });
    return { key, status: 'ready' };
  }
}
