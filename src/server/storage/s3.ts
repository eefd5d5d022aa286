// The S3-compatible backend: AWS S3, Cloudflare R2, MinIO and Google Cloud Storage through its
// S3-interoperable XML API with HMAC keys (same code, another endpoint). Clients upload parts
// and download files straight from the bucket with presigned URLs; only the API holds the keys.
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { contentDisposition } from '../../shared-node/files/names.js';
import { systemClock, type Clock } from '../clock.js';
import type { S3Config } from '../config.js';
import { assertSafeKey } from './keys.js';
import {
  InvalidPartError,
  ObjectNotFoundError,
  UploadNotFoundError,
  type ByteRange,
  type FileStorage,
  type ObjectInfo,
  type PartInfo,
  type SignedDownload,
} from './types.js';

/** Longest validity SigV4 allows for a presigned URL. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

export interface S3StorageOptions {
  type: 's3' | 'gcs';
  /** The time presigned URLs are signed at; injectable so expiry is testable. */
  clock?: Clock;
}

export class S3Storage implements FileStorage {
  readonly type: 's3' | 'gcs';
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #clock: Clock;

  constructor(config: S3Config, options: S3StorageOptions) {
    this.type = options.type;
    this.#bucket = config.bucket;
    this.#clock = options.clock ?? systemClock;
    this.#client = new S3Client({
      endpoint: config.endpoint,
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      // Default checksums add x-amz-checksum-* to presigned part URLs, which the client's PUT
      // cannot satisfy, and R2 and GCS reject or ignore them; send them only where required.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async putObject(
    key: string,
    body: Readable | Buffer,
    options: { contentType: string; size?: number },
  ): Promise<void> {
    assertSafeKey(key);
    const size = Buffer.isBuffer(body) ? body.length : options.size;
    if (size === undefined) {
      throw new Error(`Storing ${key} failed: S3 needs the size of a streamed object up front.`);
    }
    if (options.size !== undefined && size !== options.size) {
      throw new Error(
        `Storing ${key} failed: ${size} bytes were given where ${options.size} were announced.`,
      );
    }
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: key,
        Body: body,
        ContentType: options.contentType,
        ContentLength: size,
      }),
    );
  }

  async readObject(key: string, range?: ByteRange): Promise<Readable> {
    assertSafeKey(key);
    if (range && (range.start < 0 || range.start > range.end)) {
      throw new RangeError(`Bytes ${range.start}–${range.end} are not a range of ${key}.`);
    }
    try {
      const out = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Range: range && `bytes=${range.start}-${range.end}`,
        }),
      );
      if (!(out.Body instanceof Readable)) {
        throw new Error(`Reading ${key} from the bucket returned no stream.`);
      }
      return out.Body;
    } catch (err) {
      if (isS3Error(err, 'NoSuchKey')) throw new ObjectNotFoundError(key);
      if (isS3Error(err, 'InvalidRange')) {
        throw new RangeError(`Bytes ${range?.start}–${range?.end} are outside ${key}.`);
      }
      throw err;
    }
  }

  async headObject(key: string): Promise<ObjectInfo | null> {
    assertSafeKey(key);
    try {
      const out = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: key }),
      );
      return { key, size: out.ContentLength ?? 0, lastModified: out.LastModified ?? new Date(0) };
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }

  async deleteObject(key: string): Promise<void> {
    assertSafeKey(key);
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
  }

  async *listObjects(prefix?: string): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.#bucket,
          Prefix: prefix || undefined,
          ContinuationToken: token,
        }),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        yield { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async createMultipartUpload(key: string, contentType: string): Promise<string> {
    assertSafeKey(key);
    const out = await this.#client.send(
      new CreateMultipartUploadCommand({
        Bucket: this.#bucket,
        Key: key,
        ContentType: contentType,
      }),
    );
    if (!out.UploadId) throw new Error(`The bucket gave no upload id for ${key}.`);
    return out.UploadId;
  }

  async signUploadPart(args: {
    key: string;
    uploadId: string;
    partNumber: number;
    expiresInSeconds: number;
  }): Promise<string> {
    assertSafeKey(args.key);
    const command = new UploadPartCommand({
      Bucket: this.#bucket,
      Key: args.key,
      UploadId: args.uploadId,
      PartNumber: args.partNumber,
    });
    return getSignedUrl(this.#client, command, this.#presignOptions(args.expiresInSeconds));
  }

  async listParts(key: string, uploadId: string): Promise<PartInfo[] | null> {
    assertSafeKey(key);
    const parts: PartInfo[] = [];
    let marker: string | undefined;
    try {
      do {
        const page = await this.#client.send(
          new ListPartsCommand({
            Bucket: this.#bucket,
            Key: key,
            UploadId: uploadId,
            PartNumberMarker: marker,
          }),
        );
        for (const p of page.Parts ?? []) {
          if (p.PartNumber === undefined || !p.ETag) continue;
          parts.push({ partNumber: p.PartNumber, etag: p.ETag, size: p.Size ?? 0 });
        }
        marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
      } while (marker);
    } catch (err) {
      if (isS3Error(err, 'NoSuchUpload')) throw new UploadNotFoundError(uploadId);
      if (isUnsupported(err)) return null;
      throw err;
    }
    return parts;
  }

  async completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: { partNumber: number; etag: string }[],
  ): Promise<void> {
    assertSafeKey(key);
    const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    try {
      await this.#client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.#bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: {
            Parts: sorted.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })),
          },
        }),
      );
    } catch (err) {
      if (isS3Error(err, 'NoSuchUpload')) throw new UploadNotFoundError(uploadId);
      if (isS3Error(err, 'InvalidPart') || isS3Error(err, 'InvalidPartOrder')) {
        throw new InvalidPartError(null, (err as Error).message);
      }
      throw err;
    }
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    assertSafeKey(key);
    try {
      await this.#client.send(
        new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: key, UploadId: uploadId }),
      );
    } catch (err) {
      // A server that cannot abort leaves the parts to its own expiry (a lifecycle rule).
      if (isS3Error(err, 'NoSuchUpload') || isUnsupported(err)) return;
      throw err;
    }
  }

  async signDownload(args: SignedDownload): Promise<string> {
    assertSafeKey(args.key);
    const command = new GetObjectCommand({
      Bucket: this.#bucket,
      Key: args.key,
      ResponseContentType: args.contentType,
      ResponseContentDisposition: contentDisposition(args.fileName, args.disposition),
    });
    return getSignedUrl(this.#client, command, this.#presignOptions(args.expiresInSeconds));
  }

  /** Closes the client's connections; the storage cannot be used afterwards. */
  destroy(): void {
    this.#client.destroy();
  }

  #presignOptions(expiresInSeconds: number) {
    if (expiresInSeconds < 1 || expiresInSeconds > MAX_PRESIGN_SECONDS) {
      throw new RangeError(
        `A presigned URL lives 1–${MAX_PRESIGN_SECONDS} seconds, not ${expiresInSeconds}.`,
      );
    }
    return { expiresIn: expiresInSeconds, signingDate: this.#clock() };
  }
}

function isS3Error(err: unknown, name: string): boolean {
  return err instanceof S3ServiceException && err.name === name;
}

function statusOf(err: unknown): number | undefined {
  return err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined;
}

/** Test servers and some S3 look-alikes answer ListParts and Abort with "not implemented". */
function isUnsupported(err: unknown): boolean {
  return (
    isS3Error(err, 'NotImplemented') ||
    isS3Error(err, 'MethodNotAllowed') ||
    statusOf(err) === 501 ||
    statusOf(err) === 405
  );
}
