// Signing in, in the built renderer against the real desktop services and companion API: a
// server that does not answer and a wrong password each say what is wrong and let the person try
// again; the right password gets them in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS, type E2eApp } from './support/app.js';
import { flowSteps, startE2eApp } from './support/e2e.js';

let app: E2eApp;
beforeAll(async () => {
  app = await startE2eApp();
});
afterAll(() => app?.close());
flowSteps(() => app);

describe('sign-in', () => {
  it('says the server cannot be reached while the API is down', async () => {
    const { page } = app;
    await app.open();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await app.screenshot('sign-in');

    await app.api.stop();
    await app.signIn(USERS.clinician);
    const alert = page.getByRole('alert').filter({ hasText: 'Server unreachable' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain(app.api.url);
    await expect
      .poll(() =>
        page.getByLabel('Server address').evaluate((el) => el === el.ownerDocument.activeElement),
      )
      .toBe(true);
    await app.screenshot('sign-in-server-unreachable');
    await app.api.start();
  });

  it('says a wrong password is wrong, then lets the right one in', async () => {
    const { page } = app;
    await app.signIn(USERS.clinician, 'not-the-password');
    const alert = page.getByRole('alert').filter({ hasText: 'not correct' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('The e-mail address or password is not correct.');
    await app.screenshot('sign-in-wrong-password');
    expect(app.headless.services.session.accessToken()).toBeNull();

    await app.signIn(USERS.clinician);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
    expect(app.headless.services.session.accessToken()).toMatch(/^mdr_/);
    expect(app.pageErrors).toEqual([]);
  });
});
