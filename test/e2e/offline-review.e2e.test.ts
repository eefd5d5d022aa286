// Offline review (issue 6), as a clinician does it in the built renderer against the real desktop
// services and companion API: make a patient available offline, lose the server, open their PDF
// and DICOM image from the encrypted cache, edit a note and add one, and get the server back —
// the new note and the offline views reach it (the views with the times they happened), and a
// note changed on the server meanwhile is put to the clinician to resolve, not silently dropped.
import type { Locator } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdf } from '../support/files.js';
import { USERS, type E2eApp } from './support/app.js';
import { apiClientAs, type ApiClient } from './support/api-client.js';
import { flowSteps, startE2eApp } from './support/e2e.js';
import { addDocuments, changeAnnotationInDatabase, makeDicom } from './support/seed-files.js';

const PATIENT = /Lovelace/;
const PDF_TITLE = 'Discharge letter';
const DICOM_TITLE = 'Left hand X-ray';
const SERVER_NOTE = 'Seen on the ward';
const MY_EDIT = 'Seen on the ward; wound dry at home visit';
const THEIR_EDIT = 'Seen on the ward; dressing changed in clinic';
const NEW_NOTE = 'Check the dosage with the referrer';

interface Annotation {
  id: string;
  type: string;
  pageNumber: number;
  version: number;
  createdBy: string;
  content: { x?: number; y?: number; text?: string; color?: string };
}
interface AuditEvent {
  action: string;
  entityId: string | null;
  userId: string | null;
  occurredAt: string;
  details: { viewedAt?: string; offline?: boolean } | null;
}

let app: E2eApp;
let clinician: ApiClient;
let pdfId: string;
let dicomId: string;
let serverNote: Annotation;
/** when the API went down and came back */
let stoppedAt: Date;
let restartedAt: Date;

beforeAll(async () => {
  app = await startE2eApp({
    beforeApiStart: async (api) => {
      const letter = await pdf(2, PDF_TITLE);
      const image = makeDicom({
        PatientName: 'Lovelace^Ada',
        PatientSex: 'F',
        Modality: 'OT',
        StudyDescription: 'Left hand, two views',
      });
      const seeded = await addDocuments(api, 'Lovelace', [
        {
          title: PDF_TITLE,
          bytes: letter,
          contentType: 'application/pdf',
          extension: 'pdf',
          category: 'referral',
          // any JPEG will do for the gallery; the PDF's own pages are what the test looks at
          thumbnail: image.jpeg,
          documentDate: '2026-11-02',
        },
        {
          title: DICOM_TITLE,
          bytes: image.dicom,
          contentType: 'application/dicom',
          extension: 'dcm',
          category: 'imaging',
          thumbnail: image.jpeg,
          documentDate: '2026-11-01',
        },
      ]);
      [pdfId, dicomId] = seeded.documentIds as [string, string];
    },
  });
  // A note the clinician left on the letter earlier (from another computer): it is in the
  // offline copy, is edited offline, and is changed on the server meanwhile.
  clinician = await apiClientAs(app.api, USERS.clinician);
  serverNote = await clinician.send<Annotation>('POST', `/documents/${pdfId}/annotations`, {
    type: 'text',
    pageNumber: 1,
    content: { x: 0.3, y: 0.6, text: SERVER_NOTE, color: '#1f6feb' },
  });
});
afterAll(() => app?.close());
flowSteps(() => app);

describe('offline review', () => {
  it('makes the patient available offline and says when both documents are here', async () => {
    const { page } = app;
    await app.open();
    await app.signIn(USERS.clinician);
    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
    await page.getByLabel('Search patients by name or MRN').fill('Lovelace');
    await page
      .getByRole('list', { name: 'Search results' })
      .getByRole('button', { name: PATIENT })
      .click();
    await page.getByRole('heading', { name: PATIENT, level: 1 }).waitFor();
    const gallery = page.getByRole('region', { name: 'Gallery' });
    await gallery.getByRole('button', { name: new RegExp(PDF_TITLE) }).waitFor();
    await gallery.getByRole('button', { name: new RegExp(DICOM_TITLE) }).waitFor();

    const toggle = page.getByRole('button', { name: 'Available offline' });
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('true');
    await page
      .getByRole('status', { name: 'Offline copy' })
      .getByText('Available offline: 2 documents')
      .waitFor({ timeout: 30_000 });
  });

  it('says it is offline when the API is down, and lists the patient available offline', async () => {
    const { page } = app;
    stoppedAt = new Date();
    await app.api.stop();
    await page.getByRole('link', { name: 'Patients' }).click();
    // Nothing tells main the server is gone until it is asked for something: a search.
    await page.getByLabel('Search patients by name or MRN').fill('Ada');
    await page
      .getByText('You are offline. These patients are available offline:')
      .waitFor({ timeout: 30_000 });
    await page
      .getByRole('list', { name: 'Available offline' })
      .getByRole('button', { name: PATIENT })
      .click();
    await page.getByRole('heading', { name: PATIENT, level: 1 }).waitFor();
    expect(app.api.running).toBe(false);
  });

  it('opens the PDF from the cache, edits the earlier note and adds a new one', async () => {
    const { page } = app;
    await page
      .getByRole('region', { name: 'Gallery' })
      .getByRole('button', { name: new RegExp(PDF_TITLE) })
      .click();
    const firstPage = page.getByRole('img', { name: 'Page 1', exact: true });
    await firstPage.waitFor();
    // Drawn: the canvas has its size and the letter's dark text on it.
    await expect.poll(() => darkPixels(firstPage), { timeout: 15_000 }).toBeGreaterThan(100);

    const panel = page.getByRole('complementary', { name: 'Annotations' });
    await panel.getByRole('button', { name: new RegExp(`^Page 1: Note “${SERVER_NOTE}”`) }).click();
    const selected = page.getByRole('form', { name: 'Selected annotation' });
    await selected.getByLabel('Note text').fill(MY_EDIT);
    await selected.getByRole('button', { name: 'Save changes' }).click();
    await panel.getByRole('button', { name: new RegExp(`^Page 1: Note “${MY_EDIT}”`) }).waitFor();
    await page.keyboard.press('Escape');

    const layer = page.getByRole('img', { name: /^Annotations on page 1/ });
    await layer.scrollIntoViewIfNeeded();
    await page
      .getByRole('toolbar', { name: 'Annotation tools' })
      .getByRole('button', { name: 'Text', exact: true })
      .click();
    const box = await layer.boundingBox();
    if (!box) throw new Error('The annotation layer of page 1 is not on screen.');
    await page.mouse.click(box.x + box.width * 0.6, box.y + box.height * 0.2);
    const note = page.getByRole('form', { name: 'New note' });
    await note.getByLabel('Note text').fill(NEW_NOTE);
    await note.getByRole('button', { name: 'Save' }).click();
    await panel.getByRole('button', { name: new RegExp(`^Page 1: Note “${NEW_NOTE}”`) }).waitFor();
    await page.getByRole('img', { name: 'Annotations on page 1: 2 annotations' }).waitFor();
    await app.screenshot('offline-review-viewer');
  });

  it('opens the DICOM image from the cache with its tags', async () => {
    const { page } = app;
    await page.getByRole('button', { name: 'Back' }).click();
    await page
      .getByRole('region', { name: 'Gallery' })
      .getByRole('button', { name: new RegExp(DICOM_TITLE) })
      .click();
    await page.getByRole('img', { name: 'DICOM image, frame 1 of 1' }).waitFor();
    const tags = page.getByRole('definition').filter({ hasText: 'Left hand, two views' });
    await tags.waitFor();
    expect(await page.getByLabel('Patient and study').textContent()).toMatch(/Modality\s*OT/);
    expect(app.api.running).toBe(false);
  });

  it('sends the new note and the offline views once the API is back, views at their own times', async () => {
    // Meanwhile, the same note was changed at the clinic's desk.
    await changeAnnotationInDatabase(app.api, serverNote.id, {
      ...serverNote.content,
      text: THEIR_EDIT,
    });
    restartedAt = new Date();
    await app.api.start();

    await expect
      .poll(
        async () =>
          (await listAnnotations()).filter((a) => a.type === 'text').map((a) => a.content.text),
        { timeout: 30_000 },
      )
      .toEqual(expect.arrayContaining([NEW_NOTE, THEIR_EDIT]));
    const created = (await listAnnotations()).find((a) => a.content.text === NEW_NOTE)!;
    expect(created.pageNumber).toBe(1);
    expect(created.content.x).toBeCloseTo(0.6, 1);
    expect(created.content.y).toBeCloseTo(0.2, 1);

    const admin = await apiClientAs(app.api, USERS.admin);
    const offlineViews = async () =>
      (await admin.get<{ items: AuditEvent[] }>('/audit?action=document.view_offline&limit=100'))
        .items;
    await expect
      .poll(async () => new Set((await offlineViews()).map((e) => e.entityId)), {
        timeout: 30_000,
      })
      .toEqual(new Set([pdfId, dicomId]));
    for (const event of await offlineViews()) {
      const viewedAt = new Date(event.details!.viewedAt!);
      // Recorded when it happened, while the server was down, not when the server heard of it.
      expect(viewedAt.getTime()).toBeGreaterThanOrEqual(stoppedAt.getTime());
      expect(viewedAt.getTime()).toBeLessThan(restartedAt.getTime());
      expect(new Date(event.occurredAt).getTime()).toBeGreaterThanOrEqual(restartedAt.getTime());
      expect(event.details!.offline).toBe(true);
      expect(event.userId).toBe(clinician.user.id);
    }
  });

  it('puts the note changed on the server to the clinician, and keeps theirs only if asked — here, mine', async () => {
    const { page } = app;
    const dialog = page.getByRole('dialog', { name: 'An annotation changed on the server' });
    await dialog.waitFor({ timeout: 30_000 });
    // Both versions are shown: neither is dropped silently.
    await dialog.getByText(MY_EDIT).first().waitFor();
    await dialog.getByText(THEIR_EDIT).first().waitFor();
    await app.screenshot('offline-review-conflict');
    await dialog.getByRole('button', { name: 'Keep mine' }).click();
    await dialog.waitFor({ state: 'detached' });

    await expect
      .poll(async () => (await listAnnotations()).find((a) => a.id === serverNote.id), {
        timeout: 15_000,
      })
      .toMatchObject({ version: 3, content: { text: MY_EDIT } });
    expect(
      (await listAnnotations())
        .filter((a) => a.type === 'text')
        .map((a) => a.content.text)
        .sort(),
    ).toEqual([NEW_NOTE, MY_EDIT].sort());
  });
});

async function listAnnotations(): Promise<Annotation[]> {
  return (await clinician.get<{ items: Annotation[] }>(`/documents/${pdfId}/annotations`)).items;
}

/** How many clearly dark pixels an element shows on screen (0 until something is drawn). */
async function darkPixels(element: Locator): Promise<number> {
  const { data, info } = await sharp(await element.screenshot())
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let dark = 0;
  for (let i = 0; i < data.length; i += info.channels) if (data[i]! < 100) dark++;
  return dark;
}
