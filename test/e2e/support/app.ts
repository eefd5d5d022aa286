// One running product for an end-to-end test file: the real companion API (its own start-up code,
// a fresh SQLite database and file store in a temporary DATA_DIR, seeded with the demo data), the
// desktop's real main-process services (headless, over the local WebSocket), and Debian's
// Chromium showing the built renderer, connected with ?ws=<headless URL>.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startHeadless, type HeadlessMain } from '../../../src/main/headless.js';
import { loadConfig } from '../../../src/server/config.js';
import { migrateToLatest, openDatabase } from '../../../src/server/db/database.js';
import { startServer, type RunningServer } from '../../../src/server/main.js';
import { DEMO_PASSWORD, seedDemo } from '../../../src/server/services/seed.js';
import { ROOT } from './renderer-build.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const SCREENSHOTS = path.join(ROOT, 'test/e2e/screenshots');

/** The demo users of the seeded API (README), all with DEMO_PASSWORD. */
export const USERS = {
  admin: 'admin@riverside.test',
  clinician: 'clinician@riverside.test',
  frontDesk: 'frontdesk@riverside.test',
} as const;
export { DEMO_PASSWORD };

export async function launchChromium(): Promise<Browser> {
  try {
    return await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  } catch (error) {
    throw new Error(
      `Chromium at ${CHROMIUM} did not start (install Debian's "chromium" package, or set CHROMIUM_PATH): ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
}

/** The companion API, stoppable and startable again on the same port with the same data. */
export class ApiProcess {
  private server: RunningServer | undefined;
  private port = 0;
  readonly dataDir: string;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
  }

  env(): NodeJS.ProcessEnv {
    return {
      DATA_DIR: this.dataDir,
      HOST: '127.0.0.1',
      PORT: String(this.port),
      LOG_LEVEL: 'silent',
    };
  }

  /** Creates the database with the demo organizations, users and patients. */
  async seed(): Promise<void> {
    const database = openDatabase(loadConfig(this.env()).database);
    try {
      await migrateToLatest(database.db);
      await seedDemo(database);
    } finally {
      await database.destroy();
    }
  }

  get url(): string {
    if (!this.port) throw new Error('The companion API has not been started yet.');
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<void> {
    if (this.server) return;
    this.server = await startServer(this.env(), { seedDemoIfEmpty: false });
    this.port = Number(new URL(this.server.url).port);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.close();
  }
}

export interface E2eApp {
  page: Page;
  browser: Browser;
  api: ApiProcess;
  headless: HeadlessMain;
  /** the page's uncaught errors and console errors, for the test's failure message */
  pageErrors: string[];
  /** index.html?ws=… on the static server of the built renderer */
  appUrl: string;
  /** Loads the app (again). */
  open(): Promise<void>;
  screenshot(name: string): Promise<string>;
  signIn(email: string, password?: string): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** where the built renderer is served (the e2e global setup's, or the bench's own server) */
  rendererUrl: string;
  /** how soon main's upload queue asks again while the API is down (ms) */
  offlineRetryMs?: number;
  /** API files to put in place before the API starts, e.g. bench data */
  beforeApiStart?: (api: ApiProcess) => Promise<void>;
  viewport?: { width: number; height: number };
}

export async function startApp(options: StartOptions): Promise<E2eApp> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'medaius-e2e-'));
  const apiDir = path.join(scratch, 'api');
  const desktopDir = path.join(scratch, 'desktop');
  mkdirSync(apiDir);
  mkdirSync(desktopDir);
  const closers: (() => Promise<void>)[] = [async () => rmSync(scratch, { recursive: true })];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer().catch(console.error);
  };
  try {
    const api = new ApiProcess(apiDir);
    await api.seed();
    await options.beforeApiStart?.(api);
    await api.start();
    closers.push(() => api.stop());

    const headless = await startHeadless({
      env: {
        MEDAIUS_INSECURE_TEST_SECRETS: '1',
        MEDAIUS_API_URL: api.url,
        MEDAIUS_DATA_DIR: desktopDir,
      },
      offlineRetryMs: options.offlineRetryMs ?? 500,
    });
    closers.push(() => headless.close());

    const browser = await launchChromium();
    closers.push(() => browser.close());
    const page = await browser.newPage({
      viewport: options.viewport ?? { width: 1280, height: 860 },
    });
    page.setDefaultTimeout(15_000);
    // Functions handed to page.evaluate are compiled by tsx/esbuild, which wraps named inner
    // functions in a __name(fn, "name") helper that only exists on the Node side.
    await page.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(`uncaught: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const where = message.location().url;
      pageErrors.push(`console: ${message.text()}${where ? ` (${where})` : ''}`);
    });

    const appUrl = `${options.rendererUrl}index.html?ws=${encodeURIComponent(headless.url)}`;
    const app: E2eApp = {
      page,
      browser,
      api,
      headless,
      pageErrors,
      appUrl,
      open: async () => {
        await page.goto(appUrl);
      },
      screenshot: async (name) => {
        mkdirSync(SCREENSHOTS, { recursive: true });
        const file = path.join(SCREENSHOTS, `${name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        return file;
      },
      signIn: async (email, password = DEMO_PASSWORD) => {
        await page.getByLabel('E-mail address').fill(email);
        await page.getByLabel('Password').fill(password);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      },
      close,
    };
    return app;
  } catch (error) {
    await close();
    throw error;
  }
}
