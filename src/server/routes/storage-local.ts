// The local backend's stand-ins for S3's presigned URLs: signed part uploads and signed file
// downloads. Both are public routes (the signature is the authorization) and both stream, so a
// 5 GB file never sits in memory. Registered only when STORAGE_TYPE is local.
import type { Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { contentDisposition } from '../../shared-node/files/names.js';
import { ApiError } from '../errors.js';
import { clientOf } from '../plugins/authenticate.js';
import { MAX_PART_NUMBER, PartTooLargeError, type LocalStorage } from '../storage/local.js';
import { UploadNotFoundError, type ByteRange } from '../storage/types.js';
import type { DownloadClaims, PartClaims, Verification } from '../storage/url-signer.js';

/** S3's own ceiling for one part. */
export const MAX_PART_BYTES = 5 * 1024 ** 3;

export interface DownloadContext {
  clientAddress: string | null;
  userAgent: string | null;
  /** the bytes sent, when the client asked for a range */
  range?: ByteRange;
}

export interface DownloadDescription {
  contentType: string;
  /** already checked by checkFileName when the document was stored */
  fileName: string;
  /** Records that the file is being served; nothing is sent when this fails. */
  audit(context: DownloadContext): Promise<void>;
}

/**
 * What the app knows about the file `key` of a document (its original or its thumbnail), or
 * null when the document no longer exists or the key is not one of its files.
 */
export type DescribeDownload = (
  documentId: string,
  key: string,
) => Promise<DownloadDescription | null>;

export interface LocalStorageRoutesOptions {
  storage: LocalStorage;
  describeDownload: DescribeDownload;
}

const UNIX_SECONDS = /^\d{1,12}$/;
const PART_NUMBER = /^\d{1,5}$/;

export const localStorageRoutes: FastifyPluginAsync<LocalStorageRoutesOptions> = async (
  app,
  { storage, describeDownload },
) => {
  // Bodies here are file bytes: hand the raw stream to the handler instead of parsing it.
  // The size limit is enforced while the part streams to disk (receivePart), not here.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  app.put<{ Params: PartParams }>(
    '/storage/parts/:uploadId/:partNumber',
    { config: { public: true }, schema: { hide: true } },
    async (request, reply) => {
      const claims = verifiedPartClaims(storage, request);
      if (Number(request.headers['content-length']) > MAX_PART_BYTES) {
        throw partTooLarge(claims.partNumber);
      }
      const body = (request.body as Readable | undefined) ?? request.raw;
      try {
        const part = await storage.receivePart({ ...claims, maxBytes: MAX_PART_BYTES }, body);
        return reply.status(200).header('ETag', part.etag).send();
      } catch (err) {
        if (err instanceof UploadNotFoundError) {
          throw new ApiError(
            'not_found',
            `Upload ${claims.uploadId} is no longer open (completed, aborted or expired); start the upload again.`,
          );
        }
        if (err instanceof PartTooLargeError) throw partTooLarge(err.partNumber);
        throw err;
      }
    },
  );

  // The renderer's pdf.js and DICOM loaders read signed files with fetch from the app's own
  // origin (app://, or the test page's). The signature is the authorization — no cookies, no
  // credentials — so any origin may read a file, and the error a stale link answers with.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url.startsWith('/files/')) {
      reply
        .header('Access-Control-Allow-Origin', '*')
        .header('Access-Control-Expose-Headers', 'Accept-Ranges, Content-Range, Content-Length');
    }
    return payload;
  });
  app.options(
    '/files/*',
    { config: { public: true }, schema: { hide: true } },
    async (_request, reply) =>
      reply
        .status(204)
        .header('Access-Control-Allow-Methods', 'GET')
        .header('Access-Control-Allow-Headers', 'Range')
        .header('Access-Control-Max-Age', '600')
        .send(),
  );

  app.get<{ Params: FileParams }>(
    '/files/*',
    // A HEAD would be audited as a download while sending nothing; clients do not need it.
    { config: { public: true }, exposeHeadRoute: false, schema: { hide: true } },
    async (request, reply) => {
      const claims = verifiedDownloadClaims(storage, request);
      const { key, disposition } = claims;
      const download = await describeDownload(claims.documentId, key);
      if (!download) {
        throw new ApiError('not_found', 'The document this link was made for no longer exists.');
      }
      const object = await storage.headObject(key);
      if (!object) {
        throw new ApiError(
          'not_found',
          `The file of document ${claims.documentId} is missing from storage; ask an administrator to restore it from backup.`,
        );
      }
      const range = requestedRange(request.headers.range, object.size);
      if (range === 'unsatisfiable') {
        return reply.status(416).header('Content-Range', `bytes */${object.size}`).send();
      }

      const client = clientOf(request);
      await download.audit({
        clientAddress: client.address,
        userAgent: client.userAgent,
        ...(range && { range }),
      });
      const body = await storage.readObject(key, range ?? undefined);
      if (range) {
        reply
          .status(206)
          .header('Content-Range', `bytes ${range.start}-${range.end}/${object.size}`);
      }
      return reply
        .header('Content-Type', download.contentType)
        .header('Content-Length', range ? range.end - range.start + 1 : object.size)
        .header('Content-Disposition', contentDisposition(download.fileName, disposition))
        .header('Accept-Ranges', 'bytes')
        .header('X-Content-Type-Options', 'nosniff')
        .header('Cache-Control', 'private')
        .send(body);
    },
  );
};

type PartParams = { uploadId: string; partNumber: string };
type FileParams = { '*': string };

/** The claims of a part URL, once its signature and expiry are checked. */
function verifiedPartClaims(
  storage: LocalStorage,
  request: FastifyRequest<{ Params: PartParams }>,
): Omit<PartClaims, 'purpose'> {
  const query = stringsOf(request.query);
  const { uploadId, partNumber } = request.params;
  if (!PART_NUMBER.test(partNumber) || !query.key || !query.sig) throw invalidLink('upload');
  const claims = {
    key: query.key,
    expires: unixSeconds(query.exp, 'upload'),
    uploadId,
    partNumber: Number(partNumber),
  };
  if (claims.partNumber < 1 || claims.partNumber > MAX_PART_NUMBER) throw invalidLink('upload');
  assertVerified(storage.verifyPartUrl(claims, query.sig), claims.expires, 'upload');
  return claims;
}

/** The claims of a file URL, once its signature and expiry are checked. */
function verifiedDownloadClaims(
  storage: LocalStorage,
  request: FastifyRequest<{ Params: FileParams }>,
): Omit<DownloadClaims, 'purpose'> {
  const query = stringsOf(request.query);
  const disposition = dispositionOf(query.disp);
  if (!query.doc || !query.sig || !disposition) throw invalidLink('file');
  const claims = {
    key: request.params['*'],
    expires: unixSeconds(query.exp, 'file'),
    documentId: query.doc,
    disposition,
  };
  assertVerified(storage.verifyDownloadUrl(claims, query.sig), claims.expires, 'file');
  return claims;
}

/**
 * The single range a `Range: bytes=…` header asks for, clamped to the file; null to send the
 * whole file. Forms other than one `a-b`, `a-` or `-n` range are ignored, as RFC 9110 allows.
 */
export function requestedRange(
  header: string | undefined,
  size: number,
): ByteRange | null | 'unsatisfiable' {
  const match = header ? /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const last = match[2] === '' ? Infinity : Number(match[2]);
  if (last < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(last, size - 1) };
}

/** Query values that appear once; a repeated or missing parameter reads as absent. */
function stringsOf(query: FastifyRequest['query']): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(query as Record<string, unknown>)) {
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

function dispositionOf(value: string | undefined): 'inline' | 'attachment' | null {
  return value === 'inline' || value === 'attachment' ? value : null;
}

function unixSeconds(value: string | undefined, what: 'upload' | 'file'): number {
  if (!value || !UNIX_SECONDS.test(value)) throw invalidLink(what);
  return Number(value);
}

function assertVerified(result: Verification, expires: number, what: 'upload' | 'file'): void {
  if (result.ok) return;
  if (result.reason === 'tampered') throw invalidLink(what);
  const again = what === 'upload' ? 'ask for a new upload link' : 'open the document again';
  throw new ApiError(
    'forbidden',
    `This ${what} link expired at ${new Date(expires * 1000).toISOString()}; ${again}.`,
  );
}

function invalidLink(what: 'upload' | 'file'): ApiError {
  const again = what === 'upload' ? 'Ask for a new upload link' : 'Open the document again';
  return new ApiError(
    'forbidden',
    `This ${what} link is not valid: it was changed or is incomplete. ${again} to get a new one.`,
  );
}

function partTooLarge(partNumber: number): ApiError {
  return new ApiError(
    'payload_too_large',
    `Part ${partNumber} is larger than ${MAX_PART_BYTES} bytes; send the file in smaller parts.`,
  );
}
