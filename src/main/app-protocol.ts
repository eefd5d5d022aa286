// Where the renderer lives and how its files are served. Production pages load from
// app://medaius rather than file:// so they get a real origin of their own (CORS, storage and
// the CSP header all key on it) and cannot read arbitrary files. Electron is passed in, not
// imported, so this module runs under plain Node in unit tests.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CustomScheme } from 'electron';

export interface RendererLocation {
  /** Loaded into the window. */
  entryUrl: string;
  /** The only origin trusted to navigate, receive the CSP, and call main over IPC. */
  origin: string;
  /** Dev-server pages need inline scripts and styles for Vite's hot reload; production never does. */
  dev: boolean;
}

/** A policy, or how to compute it for each response (it follows the server address setting). */
export type PolicySource = string | (() => string);

export function policyOf(source: PolicySource): string {
  return typeof source === 'string' ? source : source();
}

const APP_SCHEME = 'app';
const APP_HOST = 'medaius';

/** Registered before `ready`: a standard, secure scheme behaves like https for origins and fetch. */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

export function productionRendererLocation(): RendererLocation {
  const origin = `${APP_SCHEME}://${APP_HOST}`;
  return { entryUrl: `${origin}/index.html`, origin, dev: false };
}

export function devRendererLocation(devServerUrl: string): RendererLocation {
  return { entryUrl: devServerUrl, origin: new URL(devServerUrl).origin, dev: true };
}

/**
 * `scheme://host[:port]` of a URL, or undefined when it does not parse. Computed by hand because
 * WHATWG `URL.origin` is the opaque "null" for non-special schemes such as `app:`.
 */
export function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return undefined;
  }
}

export function isRendererUrl(url: string | undefined, renderer: RendererLocation): boolean {
  return url !== undefined && originOf(url) === renderer.origin;
}

/**
 * The file under `rendererDir` that an app:// URL names, or undefined when the URL is for another
 * host, is malformed, or its decoded path (for example `..%2F..%2Fsecret`) would leave the directory.
 */
export function rendererFilePath(rendererDir: string, url: string): string | undefined {
  const parsed = new URL(url);
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return undefined;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return undefined;
  }
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, `.${pathname}`);
  return file.startsWith(root + path.sep) ? file : undefined;
}

/**
 * The app:// request handler: serves files from `rendererDir` with the CSP attached (computed for
 * each response, so a changed server address applies from the next page load), and 404 for
 * anything outside it. `fetchFile` is Electron's `net.fetch`, which reads file:// URLs with the
 * right MIME types.
 */
export function createAppProtocolHandler(
  rendererDir: string,
  csp: PolicySource,
  fetchFile: (url: string) => Promise<Response>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const file = rendererFilePath(rendererDir, request.url);
    if (file === undefined) return new Response('Not found', { status: 404 });
    const response = await fetchFile(pathToFileURL(file).href);
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', policyOf(csp));
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  };
}
