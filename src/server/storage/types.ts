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
  /**
   * Stores a whole object. `size`, when given, is checked against the bytes received; S3
   * backends need it up front for a stream body.
   */
  putObject(
    key: string,
    body: Readable | Buffer,
    options: { contentType: string; size?: number },
  ): Promise<void>;
  /**
   * The object's bytes, or the given range of them; the range must lie inside the object.
   * Throws ObjectNotFoundError for a missing key and RangeError for a range outside it.
   */
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
  /**
   * The parts the backend holds, in part-number order, or null when it cannot tell (some S3
   * implementations). Throws UploadNotFoundError when the upload is gone.
   */
  listParts(key: string, uploadId: string): Promise<PartInfo[] | null>;
  /**
   * Joins the parts, in ascending part-number order, into the object. Throws InvalidPartError
   * when a part is missing or its ETag is not the one the backend holds, UploadNotFoundError
   * when the upload is gone.
   */
  completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: { partNumber: number; etag: string }[],
  ): Promise<void>;
  /** Also succeeds when the backend has already dropped the upload. */
  abortMultipartUpload(key: string, uploadId: string): Promise<void>;

  signDownload(args: SignedDownload): Promise<string>;
}

/** No object is stored under the key. */
export class ObjectNotFoundError extends Error {
  override name = 'ObjectNotFoundError';
  constructor(readonly key: string) {
    super(`No stored object ${key}: it was deleted or never stored.`);
  }
}

/** The multipart upload was completed, aborted or expired: the client must start a new one. */
export class UploadNotFoundError extends Error {
  override name = 'UploadNotFoundError';
  constructor(readonly uploadId: string) {
    super(
      `Upload ${uploadId} does not exist any more (completed, aborted or expired); start it again.`,
    );
  }
}

/** A part named in a completion is missing or is not the version the backend holds. */
export class InvalidPartError extends Error {
  override name = 'InvalidPartError';
  /** partNumber is null when the backend does not say which part it refused. */
  constructor(
    readonly partNumber: number | null,
    reason: string,
  ) {
    super(
      `${partNumber === null ? 'A part' : `Part ${partNumber}`} cannot be used: ${reason}. Upload it again, then complete the upload.`,
    );
  }
}
