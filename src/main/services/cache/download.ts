// Downloads a file from a signed URL, from a byte offset on (a Range request) when an earlier
// attempt was interrupted, handing each piece to the caller as it arrives so nothing is kept
// whole in memory or written in the clear. A lost connection is told apart from a refusal.

/** The connection failed, stalled or ended early: worth trying again from where it stopped. */
export class DownloadNetworkError extends Error {
  override name = 'DownloadNetworkError';
  constructor(
    readonly host: string,
    readonly reason: string,
  ) {
    super(`The download from ${host} was interrupted (${reason}).`);
  }
}

/** The storage answered with an error, e.g. an expired link or a missing file. */
export class DownloadRefusedError extends Error {
  override name = 'DownloadRefusedError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RangeDownload {
  url: string;
  fetch: typeof globalThis.fetch;
  /** first byte wanted; 0 for the whole file */
  from: number;
  /** the file's size: the download must end exactly there */
  size: number;
  signal?: AbortSignal;
  /** give up when nothing arrives for this long */
  stallMs: number;
  onBytes: (bytes: Uint8Array) => Promise<void> | void;
}

export async function downloadRange(r: RangeDownload): Promise<void> {
  const host = new URL(r.url).host;
  const stall = new AbortController();
  let timer = setTimeout(() => stall.abort(), r.stallMs);
  const signals = [stall.signal, ...(r.signal ? [r.signal] : [])];
  const fail = (error: unknown): never => {
    if (r.signal?.aborted) throw r.signal.reason;
    if (stall.signal.aborted) {
      throw new DownloadNetworkError(host, `nothing arrived for ${r.stallMs / 1000} s`);
    }
    if (error instanceof DownloadRefusedError) throw error;
    throw new DownloadNetworkError(host, reasonOf(error));
  };
  try {
    let response: Response;
    try {
      response = await r.fetch(r.url, {
        headers: r.from > 0 ? { range: `bytes=${r.from}-` } : {},
        signal: AbortSignal.any(signals),
      });
    } catch (error) {
      return fail(error);
    }
    let skip = 0;
    if (r.from > 0 && response.status === 206) {
      const start = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1];
      if (Number(start) !== r.from) {
        await response.body?.cancel();
        throw new DownloadRefusedError(
          206,
          `The storage at ${host} sent another part of the file than the one asked for.`,
        );
      }
    } else if (response.status === 200) {
      // A server that ignores Range sends the whole file: the part already here is skipped.
      skip = r.from;
    } else {
      const text = await response.text().catch(() => '');
      throw new DownloadRefusedError(response.status, refusalOf(host, response.status, text));
    }
    let received = 0;
    // An error of the caller's (a disk write) is its own, not the network's.
    let ownError: { error: unknown } | null = null;
    try {
      for await (const piece of response.body ?? []) {
        clearTimeout(timer);
        timer = setTimeout(() => stall.abort(), r.stallMs);
        let bytes = piece as Uint8Array;
        if (skip > 0) {
          const dropped = Math.min(skip, bytes.length);
          skip -= dropped;
          bytes = bytes.subarray(dropped);
          if (bytes.length === 0) continue;
        }
        received += bytes.length;
        if (r.from + received > r.size) {
          throw new DownloadRefusedError(
            response.status,
            `The storage at ${host} sent more than the file's ${r.size} bytes.`,
          );
        }
        try {
          await r.onBytes(bytes);
        } catch (error) {
          ownError = { error };
          break;
        }
      }
    } catch (error) {
      return fail(error);
    }
    if (ownError) {
      await response.body?.cancel().catch(() => undefined);
      throw ownError.error;
    }
    if (r.from + received !== r.size) {
      throw new DownloadNetworkError(
        host,
        `it ended after ${r.from + received} of ${r.size} bytes`,
      );
    }
  } finally {
    clearTimeout(timer);
  }
}

function refusalOf(host: string, status: number, text: string): string {
  try {
    const problem = JSON.parse(text) as { detail?: unknown };
    if (typeof problem.detail === 'string') return problem.detail;
  } catch {
    // S3 answers in XML: its <Message> below, or the status
  }
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  return message ?? `The storage at ${host} answered HTTP ${status}.`;
}

function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'UND_ERR_SOCKET':
      return 'the connection was closed';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the server name could not be resolved';
    default:
      return cause?.message ?? (error as Error).message;
  }
}
