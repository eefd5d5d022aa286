// The companion API health check main runs for the connection indicator, against real local HTTP
// servers: what the user is told when the API answers, fails, is not running, or hangs.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkApiHealth } from '../../../src/main/services/api-health.js';

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Starts a server on a free port of 127.0.0.1 and returns its base URL. */
async function serve(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A base URL where nothing listens: a port that was just free and has been closed again. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

function json(status: number, body: unknown): RequestListener {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
}

describe('API health check', () => {
  it('reports connected with the API’s version when /healthz answers', async () => {
    const paths: string[] = [];
    const baseUrl = await serve((request, response) => {
      paths.push(request.url ?? '');
      json(200, { status: 'ok', version: '1.4.2', database: 'sqlite' })(request, response);
    });
    expect(await checkApiHealth({ baseUrl, fetch })).toEqual({
      state: 'connected',
      baseUrl,
      version: '1.4.2',
    });
    expect(paths).toEqual(['/healthz']);
  });

  it('reports unreachable with the HTTP status when the API fails', async () => {
    const baseUrl = await serve(json(500, { code: 'internal_error' }));
    expect(await checkApiHealth({ baseUrl, fetch })).toEqual({
      state: 'unreachable',
      baseUrl,
      reason: 'it answered HTTP 500',
    });
  });

  it('reports a refused connection when nothing listens at the address', async () => {
    const baseUrl = await closedPort();
    expect(await checkApiHealth({ baseUrl, fetch })).toEqual({
      state: 'unreachable',
      baseUrl,
      reason: 'the connection was refused (nothing is listening at that address)',
    });
  });

  it('gives up on an API that never answers', async () => {
    const baseUrl = await serve(() => {});
    expect(await checkApiHealth({ baseUrl, fetch, timeoutMs: 200 })).toEqual({
      state: 'unreachable',
      baseUrl,
      reason: 'no answer within 0.2 seconds',
    });
  });

  it('tells apart a server that is not the companion API', async () => {
    const html = await serve((_request, response) => response.end('<!doctype html><p>Hello'));
    expect(await checkApiHealth({ baseUrl: html, fetch })).toMatchObject({
      state: 'unreachable',
      reason: 'its health response was not JSON',
    });
    const other = await serve(json(200, { healthy: true }));
    expect(await checkApiHealth({ baseUrl: other, fetch })).toMatchObject({
      state: 'unreachable',
      reason: 'the server there answered, but not as the companion API does',
    });
  });
});
