// The desktop security baseline, checked under Node against thin fakes of Electron's session,
// and webContents: the only part that cannot run here is the Electron runtime itself. The IPC
// sender check is covered with the contract in ipc.test.ts.
import { describe, expect, it } from 'vitest';
import { devRendererLocation, productionRendererLocation } from '../../../src/main/app-protocol.js';
import {
  contentSecurityPolicy,
  createWindowOptions,
  installNavigationGuards,
  installSessionSecurity,
  type SessionLike,
  type WebContentsLike,
} from '../../../src/main/security.js';

const production = productionRendererLocation();
const dev = devRendererLocation('http://localhost:5173/');
const apiBaseUrl = 'http://127.0.0.1:4000';

type Handler<T> = T extends (handler: infer H) => void ? H : never;

function fakeSession() {
  const fake = {
    requestHandler: undefined as Handler<SessionLike['setPermissionRequestHandler']> | undefined,
    checkHandler: undefined as Handler<SessionLike['setPermissionCheckHandler']> | undefined,
    headersListener: undefined as
      Handler<SessionLike['webRequest']['onHeadersReceived']> | undefined,
  };
  const session: SessionLike = {
    setPermissionRequestHandler: (handler) => (fake.requestHandler = handler),
    setPermissionCheckHandler: (handler) => (fake.checkHandler = handler),
    webRequest: { onHeadersReceived: (listener) => (fake.headersListener = listener) },
  };
  return { session, fake };
}

function fakeWebContents() {
  const fake = {
    openHandler: undefined as Handler<WebContentsLike['setWindowOpenHandler']> | undefined,
    navigateListeners: [] as Array<(event: { url: string; preventDefault(): void }) => void>,
  };
  const contents: WebContentsLike = {
    setWindowOpenHandler: (handler) => (fake.openHandler = handler),
    on: (_event, listener) => fake.navigateListeners.push(listener),
  };
  /** Emits will-navigate and reports whether a guard prevented it. */
  const navigate = (url: string): boolean => {
    let prevented = false;
    for (const listener of fake.navigateListeners)
      listener({ url, preventDefault: () => (prevented = true) });
    return prevented;
  };
  return { contents, fake, navigate };
}

describe('window options', () => {
  it('isolate the renderer from Node and keep web security on', () => {
    const options = createWindowOptions('/app/out/preload/index.cjs');
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});

describe('session security', () => {
  const csp = contentSecurityPolicy(production);

  it('denies permission requests such as camera and microphone', () => {
    const { session, fake } = fakeSession();
    installSessionSecurity(session, production, csp);
    const answers: boolean[] = [];
    fake.requestHandler?.({}, 'media', (granted) => answers.push(granted));
    fake.requestHandler?.({}, 'notifications', (granted) => answers.push(granted));
    expect(answers).toEqual([false, false]);
    expect(fake.checkHandler?.({}, 'geolocation')).toBe(false);
  });

  it('attaches the CSP to the app’s pages, replacing any weaker policy sent with them', () => {
    const { session, fake } = fakeSession();
    installSessionSecurity(session, production, csp);
    let headers: Record<string, string[]> | undefined;
    fake.headersListener?.(
      {
        url: 'app://medaius/index.html',
        responseHeaders: {
          'content-security-policy': ['default-src *'],
          'Content-Type': ['text/html'],
        },
      },
      (response) => (headers = response.responseHeaders),
    );
    expect(headers).toEqual({ 'Content-Security-Policy': [csp], 'Content-Type': ['text/html'] });
  });

  it('computes the policy for each response, so a changed server address applies at the next load', () => {
    const { session, fake } = fakeSession();
    let server = apiBaseUrl;
    installSessionSecurity(session, production, () =>
      contentSecurityPolicy(production, { server }),
    );
    const policies: string[] = [];
    const load = () =>
      fake.headersListener?.({ url: 'app://medaius/index.html', responseHeaders: {} }, (r) =>
        policies.push(r.responseHeaders?.['Content-Security-Policy']?.[0] ?? ''),
      );
    load();
    server = 'https://records.clinic.example';
    load();
    expect(policies[0]).toContain(`img-src 'self' data: blob: ${apiBaseUrl}`);
    expect(policies[1]).toContain("img-src 'self' data: blob: https://records.clinic.example");
    expect(policies[1]).not.toContain(apiBaseUrl);
  });

  it('leaves responses from other origins, such as the API, untouched', () => {
    const { session, fake } = fakeSession();
    installSessionSecurity(session, production, csp);
    let response: object | undefined;
    fake.headersListener?.(
      { url: `${apiBaseUrl}/healthz`, responseHeaders: {} },
      (r) => (response = r),
    );
    expect(response).toEqual({});
  });
});

describe('content security policy', () => {
  it('without a server address, allows only the app’s own files and no network connections', () => {
    expect(contentSecurityPolicy(production).split('; ')).toEqual([
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data: blob:",
      "media-src 'self' blob:",
      "connect-src 'none'",
      "worker-src 'self' blob:",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ]);
  });

  it('lets the viewer load images, video and document bytes from the configured server only', () => {
    const directives = contentSecurityPolicy(production, {
      server: `${apiBaseUrl}/`,
      storage: ['https://s3.example.org/bucket/key?X-Amz-Signature=abc'],
    }).split('; ');
    const sources = 'http://127.0.0.1:4000 https://s3.example.org';
    expect(directives).toContain(`img-src 'self' data: blob: ${sources}`);
    expect(directives).toContain(`media-src 'self' blob: ${sources}`);
    expect(directives).toContain(`connect-src ${sources}`);
    // Scripts, styles and workers still come from the app alone.
    expect(directives).toContain("script-src 'self'");
    expect(directives).toContain("worker-src 'self' blob:");
  });

  it('writes no address into the policy that is not a plain http(s) origin', () => {
    const csp = contentSecurityPolicy(production, {
      server: "http://127.0.0.1:4000; script-src 'unsafe-inline'",
      storage: ['javascript:alert(1)', 'not a url', '*'],
    });
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('javascript');
    expect(csp).not.toContain('*');
    expect(csp).toContain("connect-src 'none'");
  });

  it('in dev, allows only Vite’s inline refresh preamble and its hot-reload socket besides', () => {
    const csp = contentSecurityPolicy(dev);
    expect(csp).toContain("script-src 'self' 'unsafe-inline'");
    expect(csp).toContain('connect-src ws://localhost:5173;');
    expect(csp).not.toContain('127.0.0.1:4000');
    expect(contentSecurityPolicy(dev, { server: apiBaseUrl })).toContain(
      `connect-src ws://localhost:5173 ${apiBaseUrl};`,
    );
  });
});

describe('navigation guards', () => {
  it('deny window.open', () => {
    const { contents, fake } = fakeWebContents();
    installNavigationGuards(contents, production);
    expect(fake.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('prevent navigation to a foreign URL and allow a reload of the app itself', () => {
    const { contents, navigate } = fakeWebContents();
    installNavigationGuards(contents, production);
    expect(navigate('https://evil.example/phish')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate('app://other-host/index.html')).toBe(true);
    expect(navigate('app://medaius/index.html')).toBe(false);
  });

  it('in dev, trust the dev server’s origin only', () => {
    const { contents, navigate } = fakeWebContents();
    installNavigationGuards(contents, dev);
    expect(navigate('http://localhost:5173/')).toBe(false);
    expect(navigate('http://localhost:5174/')).toBe(true);
  });
});
