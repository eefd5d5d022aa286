// The storage contract every backend keeps (local disk, S3-compatible services). Keys are
// `{organization}/{patient}/documents/{yyyy}/{mm}/{uuid}.{ext}` and friends (keys.ts); the
// backends never see file names from users.
import type { Readable } from 'node:stream';

export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
}

export interface PartInfo {
  partNumber: number;
  etag: string;
  size: number;
}

export interface ByteRange {
  /** first byte, inclusive */
  start: number;
  /** last byte, inclusive */
  end: number;
}

export interface SignedDownload {
  key: string;
  expiresInSeconds: number;
  contentType: string;
  /** already checked by checkFileName; backends make the Content-Disposition from it */
  fileName: string;
  disposition: 'inline' | 'attachment';
  /** bound into local signatures so a URL opens only the document it was issued for */
  documentId: string;
}

export interface FileStorage {
  readonly type: 'local' | 's3' | 'gcs';
  putObject(
    key: string,
    body: Readable | Buffer,
    options: { contentType: string; size?: number },
  ): Promise<void>;
  readObject(key: string, range?: ByteRange): Promise<Readable>;
  headObject(key: string): Promise<ObjectInfo | null>;
  /** Deleting a missing object is not an error. */
  deleteObject(key: string): Promise<void>;
  listObjects(prefix?: string): AsyncIterable<ObjectInfo>;

  createMultipartUpload(key: string, contentType: string): Promise<string>;
  signUploadPart(args: {
    key: string;
    uploadId: string;
    partNumber: number;
    expiresInSeconds: number;
  }): Promise<string>;
  /** The parts the backend holds, or null when it cannot tell (some S3 implementations). */
  listParts(key: string, uploadId: string): Promise<PartInfo[] | null>;
  completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: { partNumber: number; etag: string }[],
  ): Promise<void>;
  /** Also succeeds when the backend has already dropped the upload. */
  abortMultipartUpload(key: string, uploadId: string): Promise<void>;

  signDownload(args: SignedDownload): Promise<string>;
}
