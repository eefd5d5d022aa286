// Signing in, in the built renderer against the real desktop services and companion API: a
// wrong password says so and lets the person try again; the right one gets them in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS, type E2eApp } from './support/app.js';
import { startE2eApp } from './support/e2e.js';

let app: E2eApp;
beforeAll(async () => {
  app = await startE2eApp();
});
afterAll(() => app?.close());

describe('sign-in', () => {
  it('says a wrong password is wrong, then lets the right one in', async () => {
    const { page } = app;
    await app.open();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await app.screenshot('sign-in');

    await app.signIn(USERS.clinician, 'not-the-password');
    const alert = page.getByRole('alert').filter({ hasText: 'not correct' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('The e-mail address or password is not correct.');
    await app.screenshot('sign-in-wrong-password');
    expect(app.headless.services.session.accessToken()).toBeNull();

    await app.signIn(USERS.clinician);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ state: 'detached' });
    expect(app.headless.services.session.accessToken()).toMatch(/^mdr_/);
    expect(app.pageErrors).toEqual([]);
  });
});
