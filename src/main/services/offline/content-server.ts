// Serves documents from the encrypted offline cache to the renderer, which only takes URLs: a
// loopback HTTP server (127.0.0.1, a port of the system's choosing) whose every URL carries a
// random, unguessable capability bound to one document that expires. Bytes are decrypted as
// they are sent, chunk by chunk, each chunk authenticated first; nothing readable is written to
// disk. Range requests are answered (pdf.js and video read by range), and any origin may read,
// like the API's signed-content route: the capability is the authorization, never a cookie.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OfflineCache } from '../cache/index.js';

/** How long a URL stays valid: a long read of a big PDF by ranges must not be cut short. */
export const CONTENT_URL_TTL_MS = 30 * 60_000;

interface Grant {
  documentId: string;
  /** the document's file, or its thumbnail (a small JPEG, sent whole) */
  kind: 'file' | 'thumbnail';
  expiresAt: number;
}

export interface ContentServer {
  /** e.g. http://127.0.0.1:43817, for the renderer's Content-Security-Policy */
  origin: string;
  /** A URL that serves `documentId`'s cached bytes until `expiresAt`. */
  grant(documentId: string, kind?: 'file' | 'thumbnail'): { url: string; expiresAt: string };
  /** Makes every URL handed out so far stop working (sign-out, a wiped cache). */
  revokeAll(): void;
  close(): Promise<void>;
}

export interface ContentServerOptions {
  cache: () => OfflineCache | undefined;
  clock?: () => Date;
  ttlMs?: number;
}

export async function startContentServer(o: ContentServerOptions): Promise<ContentServer> {
  const clock = o.clock ?? (() => new Date());
  const ttl = o.ttlMs ?? CONTENT_URL_TTL_MS;
  const grants = new Map<string, Grant>();
  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        plain(response, 500, `The offline copy could not be read: ${(error as Error).message}`);
      } else {
        response.destroy(error as Error);
      }
    });
  });

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    response.setHeader('Access-Control-Allow-Origin', '*');
    response.setHeader(
      'Access-Control-Expose-Headers',
      'Accept-Ranges, Content-Range, Content-Length',
    );
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    if (request.method === 'OPTIONS') {
      response.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, HEAD',
        'Access-Control-Allow-Headers': 'Range',
        'Access-Control-Max-Age': '600',
      });
      response.end();
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      plain(response, 405, 'Only GET and HEAD are served here.');
      return;
    }
    const token = /^\/documents\/([A-Za-z0-9_-]{43})$/.exec(request.url ?? '')?.[1];
    const grant = token ? grants.get(token) : undefined;
    if (!grant || grant.expiresAt <= clock().getTime()) {
      if (token) grants.delete(token);
      plain(
        response,
        404,
        'This link to an offline copy has expired or never existed. Open the document again.',
      );
      return;
    }
    const cache = o.cache();
    if (grant.kind === 'thumbnail') {
      const thumbnail = cache ? await cache.cachedThumbnail(grant.documentId) : null;
      if (!thumbnail) {
        plain(response, 404, gone(grant.documentId));
        return;
      }
      response.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': thumbnail.length });
      response.end(request.method === 'HEAD' ? undefined : thumbnail);
      return;
    }
    const document = cache ? await cache.cachedDocument(grant.documentId) : null;
    if (!cache || !document) {
      plain(response, 404, gone(grant.documentId));
      return;
    }
    const size = document.fileSize;
    const range = requestedRange(request.headers.range, size);
    if (range === 'unsatisfiable') {
      response.writeHead(416, { 'Content-Range': `bytes */${size}` });
      response.end();
      return;
    }
    // Opened (and so checked to be here, sound and current) before any header goes out.
    const opened = await cache.openStream(grant.documentId, range ?? {});
    if (!opened) {
      plain(response, 404, gone(grant.documentId));
      return;
    }
    const headers: Record<string, string | number> = {
      'Content-Type': document.contentType,
      'Accept-Ranges': 'bytes',
      'Content-Length': range ? range.end - range.start + 1 : size,
    };
    if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
    if (request.method === 'HEAD') {
      opened.stream.destroy();
      response.writeHead(range ? 206 : 200, headers);
      response.end();
      return;
    }
    response.writeHead(range ? 206 : 200, headers);
    opened.stream.on('error', (error) => response.destroy(error));
    response.on('close', () => opened.stream.destroy());
    opened.stream.pipe(response);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    grant(documentId, kind = 'file') {
      const now = clock().getTime();
      for (const [key, g] of grants) if (g.expiresAt <= now) grants.delete(key);
      const token = randomBytes(32).toString('base64url');
      const expiresAt = now + ttl;
      grants.set(token, { documentId, kind, expiresAt });
      return { url: `${origin}/documents/${token}`, expiresAt: new Date(expiresAt).toISOString() };
    },
    revokeAll() {
      grants.clear();
    },
    close: () => closeServer(server),
  };
}

const gone = (documentId: string) =>
  `Document ${documentId} is no longer available offline. Open it again.`;

function plain(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(message);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * The single range a `Range: bytes=…` header asks for, clamped to the file; null to send the
 * whole file. Forms other than one `a-b`, `a-` or `-n` range are ignored, as RFC 9110 allows.
 */
export function requestedRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | 'unsatisfiable' {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
