// Sends one part of a staged file to a presigned URL. node:http rather than fetch: a presigned
// S3 UploadPart must carry Content-Length, and fetch sends a stream body chunked, which S3
// refuses. The part streams from its byte range of the file, so memory stays at one read buffer.
import { createReadStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

/** The part could not be delivered: no connection, a reset, or no progress for too long. */
export class PartNetworkError extends Error {
  override name = 'PartNetworkError';
  constructor(
    readonly host: string,
    readonly reason: string,
  ) {
    super(`The storage service at ${host} cannot be reached (${reason}).`);
  }
}

/** The staged file could not be read. */
export class StagedFileError extends Error {
  override name = 'StagedFileError';
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`The staged file ${file} cannot be read (${(cause as Error).message}).`, { cause });
  }
}

export interface PartRequest {
  url: string;
  file: string;
  /** first byte of the part in the file */
  start: number;
  length: number;
  signal: AbortSignal;
  /** give up when no byte is accepted (or no answer comes) for this long */
  stallMs: number;
  /** bytes handed to the connection so far for this part */
  onProgress: (bytes: number) => void;
  agents: { http: http.Agent; https: https.Agent };
}

export type PartAnswer =
  | { ok: true; etag: string }
  | {
      ok: false;
      status: number;
      /** S3's <Code> or the API's problem code, when the answer has one */
      code: string | null;
      message: string;
    };

const READ_BUFFER_BYTES = 256 * 1024;
const MAX_ERROR_BODY = 16 * 1024;

/** PUTs the part; resolves with the storage's answer, rejects when there was none. */
export function putPart(r: PartRequest): Promise<PartAnswer> {
  const url = new URL(r.url);
  return new Promise((resolve, reject) => {
    if (r.signal.aborted) {
      reject(r.signal.reason);
      return;
    }
    const body = createReadStream(r.file, {
      start: r.start,
      end: r.start + r.length - 1,
      highWaterMark: READ_BUFFER_BYTES,
    });
    const secure = url.protocol === 'https:';
    const request = (secure ? https : http).request(url, {
      method: 'PUT',
      headers: { 'content-length': String(r.length) },
      agent: secure ? r.agents.https : r.agents.http,
    });
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(stall);
      r.signal.removeEventListener('abort', onAbort);
      finish();
    };
    const fail = (err: unknown) =>
      settle(() => {
        body.destroy();
        request.destroy();
        reject(err);
      });
    const stall = setTimeout(
      () => fail(new PartNetworkError(url.host, `nothing moved for ${r.stallMs / 1000} s`)),
      r.stallMs,
    );
    const onAbort = () => fail(r.signal.reason);
    r.signal.addEventListener('abort', onAbort, { once: true });

    let sent = 0;
    body.on('data', (chunk) => {
      stall.refresh();
      sent += chunk.length;
      r.onProgress(sent);
    });
    body.on('error', (err) => fail(new StagedFileError(r.file, err)));
    request.on('error', (err) => fail(new PartNetworkError(url.host, reasonOf(err))));
    request.on('response', (response) => {
      stall.refresh();
      const chunks: Buffer[] = [];
      let kept = 0;
      response.on('data', (chunk: Buffer) => {
        stall.refresh();
        if (kept < MAX_ERROR_BODY) {
          chunks.push(chunk);
          kept += chunk.length;
        }
      });
      response.on('error', (err) => fail(new PartNetworkError(url.host, reasonOf(err))));
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        const etag = response.headers.etag;
        if (status >= 200 && status < 300 && etag) {
          settle(() => resolve({ ok: true, etag }));
          return;
        }
        // An answer that came before the whole body went out leaves the connection unusable.
        settle(() => {
          body.destroy();
          request.destroy();
          resolve(refusal(status, Buffer.concat(chunks).toString('utf8')));
        });
      });
    });
    body.pipe(request);
  });
}

/** S3 answers in XML, the local backend in problem+json. */
function refusal(status: number, text: string): PartAnswer & { ok: false } {
  if (status >= 200 && status < 300) {
    return {
      ok: false,
      status,
      code: null,
      message: 'the storage accepted the part but sent no ETag',
    };
  }
  try {
    const problem = JSON.parse(text) as { code?: unknown; detail?: unknown };
    if (typeof problem.code === 'string' && typeof problem.detail === 'string') {
      return { ok: false, status, code: problem.code, message: problem.detail };
    }
  } catch {
    // not JSON: S3's XML error document, or nothing
  }
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? null;
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  return {
    ok: false,
    status,
    code,
    message: message ?? code ?? `the storage service answered HTTP ${status}`,
  };
}

function reasonOf(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'EPIPE':
      return 'the connection was closed while sending';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the server name could not be resolved';
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return 'the network is unreachable';
    case 'ETIMEDOUT':
      return 'the connection timed out';
    default:
      return err.message;
  }
}
