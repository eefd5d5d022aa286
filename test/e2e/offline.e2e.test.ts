// Working through a network outage: with the companion API down, a filed document waits in the
// upload queue saying "Waiting for network"; once the API is back (same address, same data) it
// uploads by itself, with nobody pressing anything, and shows up in the patient's documents.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdf } from '../support/files.js';
import { USERS, type E2eApp } from './support/app.js';
import { dropFiles } from './support/browser.js';
import { flowSteps, startE2eApp } from './support/e2e.js';

let app: E2eApp;
beforeAll(async () => {
  app = await startE2eApp({ offlineRetryMs: 500 });
});
afterAll(() => app?.close());
flowSteps(() => app);

const FILE = 'discharge-summary.pdf';
const PATIENT = /Hopper/;

describe('offline filing', () => {
  it('gets a dropped document ready to file while online', async () => {
    const { page } = app;
    await app.open();
    await app.signIn(USERS.frontDesk);
    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
    await dropFiles(page, [
      { name: FILE, type: 'application/pdf', bytes: await pdf(1, 'Discharge summary') },
    ]);
    const importPanel = page.getByRole('region', { name: 'Import finished' });
    await importPanel.getByText('1 file added to the inbox.').waitFor();
    await importPanel.getByRole('button', { name: 'Open the inbox' }).click();
    await page
      .getByRole('list', { name: 'Inbox items' })
      .getByRole('listitem', { name: FILE })
      .waitFor();
    await page.getByRole('button', { name: `Open ${FILE}` }).click();
    await page.getByRole('combobox', { name: 'Patient' }).fill('Hopper');
    await page.getByRole('option', { name: PATIENT }).click();
    await page.getByText(/Patient: .*Hopper/).waitFor();
    await page.getByRole('combobox', { name: 'Category' }).selectOption({ label: 'Consent' });
  });

  it('files it with the API down and says it is waiting for the network', async () => {
    const { page } = app;
    await app.api.stop();
    await page.getByRole('button', { name: 'File 1 item' }).click();
    await page.getByRole('status').filter({ hasText: '1 item filed to' }).waitFor();

    const statusBar = page.getByRole('contentinfo', { name: 'Status bar' });
    await statusBar.getByText('Waiting for network').waitFor({ timeout: 30_000 });
    await statusBar.getByText('1 upload pending').waitFor();
    await statusBar.getByRole('button', { name: 'Upload queue' }).click();
    const row = page.getByRole('list', { name: 'Uploads' }).getByRole('listitem', { name: FILE });
    await row.getByText('Waiting for network', { exact: true }).waitFor();
    await app.screenshot('upload-queue-offline');
    expect(app.api.running).toBe(false);
  });

  it('uploads it by itself once the API is back', async () => {
    const { page } = app;
    await app.api.start();
    const row = page.getByRole('list', { name: 'Uploads' }).getByRole('listitem', { name: FILE });
    await row.getByText('Done', { exact: true }).waitFor({ timeout: 30_000 });
    const statusBar = page.getByRole('contentinfo', { name: 'Status bar' });
    await statusBar.getByText('Online').waitFor();
    await statusBar.getByText('No uploads pending').waitFor();
    await app.screenshot('upload-queue-back-online');

    await page.getByRole('link', { name: 'Patients' }).click();
    await page.getByLabel('Search patients by name or MRN').fill('Hopper');
    await page
      .getByRole('list', { name: 'Search results' })
      .getByRole('button', { name: PATIENT })
      .click();
    await page
      .getByRole('region', { name: 'Gallery' })
      .getByRole('button', { name: /discharge-summary/ })
      .waitFor();
  });
});
