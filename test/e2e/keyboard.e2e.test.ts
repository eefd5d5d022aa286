// Keyboard first: a clinician finds a patient, moves through the gallery, opens a document and
// steps to the next and previous one without touching the mouse, and can always see where the
// focus is.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jpeg } from '../support/files.js';
import { DEMO_PASSWORD, USERS, type E2eApp } from './support/app.js';
import { flowSteps, startE2eApp } from './support/e2e.js';
import { addJpegDocuments } from './support/seed.js';

const TITLES = ['Knee X-ray left', 'Knee X-ray right', 'Wound on day 3'];

let app: E2eApp;
beforeAll(async () => {
  app = await startE2eApp({
    beforeApiStart: async (api) => {
      const photos = await Promise.all(TITLES.map(() => jpeg(800, 600)));
      // Newest first in the gallery: the first title has the latest date.
      await addJpegDocuments(
        api,
        'Lovelace',
        TITLES.map((title, i) => ({
          title,
          jpeg: photos[i]!,
          documentDate: `2026-0${9 - i}-01`,
        })),
      );
    },
  });
  const result = await app.headless.services.session.signIn({
    email: USERS.clinician,
    password: DEMO_PASSWORD,
  });
  if (!result.ok) throw new Error(`Signing in for the keyboard flow failed: ${result.message}`);
});
afterAll(() => app?.close());
flowSteps(() => app);

/** The focused element's accessible name and whether a focus ring is drawn around it. */
async function focused(page: Page): Promise<{ name: string; ring: boolean }> {
  const element = page.locator('*:focus');
  if ((await element.count()) === 0) return { name: '', ring: false };
  return element.evaluate((el) => {
    const style = el.ownerDocument.defaultView!.getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow !== 'none' && style.boxShadow !== '';
    return {
      name: el.getAttribute('aria-label') ?? el.textContent?.trim() ?? '',
      ring: outline || shadow,
    };
  });
}

describe('keyboard only', () => {
  it('finds the patient from the search box with the arrow keys', async () => {
    const { page } = app;
    await app.open();
    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
    await page.keyboard.type('Lovelace');
    await page.getByRole('heading', { name: 'Results for “Lovelace”' }).waitFor();
    await page
      .getByRole('status')
      .filter({ hasText: /^1 patient$/ })
      .waitFor();
    await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toMatchObject({
      name: expect.stringMatching(/Lovelace/),
      ring: true,
    });
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /Lovelace/, level: 1 }).waitFor();
  });

  it('tabs into the gallery, moves with the arrows and opens with Enter', async () => {
    const { page } = app;
    const gallery = page.getByRole('region', { name: 'Gallery' });
    await gallery.getByRole('button', { name: TITLES[0] }).waitFor();
    const inGallery = () => gallery.evaluate((el) => el.contains(el.ownerDocument.activeElement));
    for (let tabs = 0; tabs < 40 && !(await inGallery()); tabs++) await page.keyboard.press('Tab');
    expect(await inGallery(), 'Tab never reached the gallery').toBe(true);
    expect(await focused(page)).toEqual({ name: TITLES[0], ring: true });

    await page.keyboard.press('ArrowRight');
    await expect.poll(() => focused(page)).toEqual({ name: TITLES[1], ring: true });
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: TITLES[1], level: 2 }).waitFor();
    await page.getByRole('group', { name: 'Documents' }).getByText('2 of 3').waitFor();
    // The photo itself, loaded from its signed URL.
    const photo = page.getByRole('img', { name: TITLES[1], exact: true });
    await expect
      .poll(() =>
        photo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      )
      .toBe(800);
    await app.screenshot('viewer-keyboard');
  });

  it('steps to the next and previous document by keyboard', async () => {
    const { page } = app;
    await page.keyboard.press('Alt+ArrowRight');
    await page.getByRole('heading', { name: TITLES[2], level: 2 }).waitFor();
    await page.getByRole('group', { name: 'Documents' }).getByText('3 of 3').waitFor();
    await page.keyboard.press('[');
    await page.getByRole('heading', { name: TITLES[1], level: 2 }).waitFor();
    await page.keyboard.press('[');
    await page.getByRole('heading', { name: TITLES[0], level: 2 }).waitFor();
    await page.getByRole('group', { name: 'Documents' }).getByText('1 of 3').waitFor();
    expect(app.pageErrors).toEqual([]);
  });
});
