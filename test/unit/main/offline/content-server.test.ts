// The loopback server's capability URLs: unguessable, bound to one document, and dead once they
// expire or are revoked (sign-out, a wiped cache); ranges read as RFC 9110 says.
import { afterEach, describe, expect, it } from 'vitest';
import {
  requestedRange,
  startContentServer,
  type ContentServer,
} from '../../../../src/main/services/offline/content-server.js';

let server: ContentServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('offline content server', () => {
  it('listens on loopback only and hands out a different unguessable URL per grant', async () => {
    server = await startContentServer({ cache: () => undefined });
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const a = server.grant('3b0f9c0e-7d1a-4d4e-9a55-0c8f1e2a7b61');
    const b = server.grant('3b0f9c0e-7d1a-4d4e-9a55-0c8f1e2a7b61');
    expect(a.url).not.toBe(b.url);
    expect(a.url.slice(server.origin.length)).toMatch(/^\/documents\/[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a URL once it expired or was revoked, and says to open the document again', async () => {
    let now = new Date('2026-11-28T09:00:00Z');
    server = await startContentServer({ cache: () => undefined, clock: () => now, ttlMs: 60_000 });
    const live = server.grant('3b0f9c0e-7d1a-4d4e-9a55-0c8f1e2a7b61');
    expect(Date.parse(live.expiresAt)).toBe(now.getTime() + 60_000);
    // Within its time the grant is honoured: the answer is about the document, not the link.
    const valid = await fetch(live.url);
    expect(valid.status).toBe(404);
    expect(await valid.text()).toMatch(/no longer available offline/);

    now = new Date(now.getTime() + 60_001);
    const expired = await fetch(live.url);
    expect(expired.status).toBe(404);
    expect(await expired.text()).toMatch(/has expired or never existed\. Open the document again/);

    now = new Date('2026-11-28T09:00:00Z');
    const revoked = server.grant('3b0f9c0e-7d1a-4d4e-9a55-0c8f1e2a7b61');
    server.revokeAll();
    expect(await (await fetch(revoked.url)).text()).toMatch(/has expired or never existed/);
  });

  it('answers a CORS preflight for Range and refuses other methods', async () => {
    server = await startContentServer({ cache: () => undefined });
    const { url } = server.grant('3b0f9c0e-7d1a-4d4e-9a55-0c8f1e2a7b61');
    const preflight = await fetch(url, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('Range');
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);
  });

  it('reads one range of the forms a-b, a- and -n, clamped to the file', () => {
    expect(requestedRange(undefined, 1000)).toBeNull();
    expect(requestedRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(requestedRange('bytes=900-', 1000)).toEqual({ start: 900, end: 999 });
    expect(requestedRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
    expect(requestedRange('bytes=990-2000', 1000)).toEqual({ start: 990, end: 999 });
    expect(requestedRange('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(requestedRange('bytes=0-1,5-9', 1000)).toBeNull();
  });
});
