// What every end-to-end test file uses: startApp with the renderer the e2e project's global
// setup serves, and steps that stop at the first failure with a screenshot of what was on screen.
import { afterEach, beforeEach, inject } from 'vitest';
import { startApp, type E2eApp, type StartOptions } from './app.js';

export function startE2eApp(options: Omit<StartOptions, 'rendererUrl'> = {}): Promise<E2eApp> {
  return startApp({ ...options, rendererUrl: inject('rendererUrl') });
}

/**
 * The tests of a file are the steps of one flow: after a failed step the rest are skipped (they
 * would only fail for the same reason), and the failing step leaves a screenshot named after it
 * and prints the page's own errors.
 */
export function flowSteps(app: () => E2eApp | undefined): void {
  let failed: string | undefined;
  beforeEach((context) => {
    if (failed) context.skip(`an earlier step failed: ${failed}`);
  });
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail') return;
    failed = context.task.name;
    const current = app();
    if (!current) return;
    const name = `failed-${context.task.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
    const file = await current.screenshot(name).catch(() => undefined);
    console.error(
      `e2e step "${context.task.name}" failed; screen: ${file ?? 'no screenshot'}; page errors: ${
        current.pageErrors.length ? current.pageErrors.join(' | ') : 'none'
      }`,
    );
  });
}
