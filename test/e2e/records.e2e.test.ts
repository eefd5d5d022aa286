// The day's main path, as a person takes it in the built renderer against the real desktop
// services and companion API: sign in, find the patient, drop three files, file them as one batch,
// watch them upload, see their thumbnails in the patient's gallery, open the PDF, draw on it and
// leave a note, reload, and find both where they were. A file the product cannot take says why.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jpeg, pdf } from '../support/files.js';
import { USERS, type E2eApp } from './support/app.js';
import { dropFiles, imagesLoaded, type DroppedFile } from './support/browser.js';
import { flowSteps, startE2eApp } from './support/e2e.js';
import sharp from 'sharp';

let app: E2eApp;
let files: DroppedFile[];

beforeAll(async () => {
  app = await startE2eApp();
  files = [
    {
      name: 'referral-letter.pdf',
      type: 'application/pdf',
      bytes: await pdf(2, 'Referral letter'),
    },
    { name: 'wound-photo.jpg', type: 'image/jpeg', bytes: await jpeg(640, 480) },
    {
      name: 'insurance-card.png',
      type: 'image/png',
      bytes: await sharp({
        create: { width: 500, height: 320, channels: 3, background: { r: 240, g: 200, b: 80 } },
      })
        .png()
        .toBuffer(),
    },
  ];
});
afterAll(() => app?.close());
flowSteps(() => app);

const PATIENT = /Lovelace/;

describe('front desk to clinician', () => {
  it('signs in and finds the patient', async () => {
    const { page } = app;
    await app.open();
    await app.signIn(USERS.clinician);
    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
    await page.getByLabel('Search patients by name or MRN').fill('Lovelace');
    const results = page.getByRole('list', { name: 'Search results' });
    await results.getByRole('button', { name: PATIENT }).click();
    await page.getByRole('heading', { name: PATIENT, level: 1 }).waitFor();
    await page.getByText('This patient has no documents yet.').waitFor();
  });

  it('refuses a file type it cannot store, and says which file and why', async () => {
    const { page } = app;
    const gif = await sharp({
      create: { width: 40, height: 40, channels: 3, background: { r: 0, g: 0, b: 0 } },
    })
      .gif()
      .toBuffer();
    await dropFiles(page, [{ name: 'fax-cover.gif', type: 'image/gif', bytes: gif }]);
    const importPanel = page.getByRole('region', { name: 'Import finished' });
    await importPanel.getByText('No new files were added to the inbox.').waitFor();
    const refused = importPanel.getByRole('list', { name: 'Not added' }).getByRole('listitem');
    expect(await refused.allTextContents()).toEqual([
      expect.stringMatching(/fax-cover\.gif.*a GIF image, which is not accepted\. Save it as PDF/),
    ]);
    await app.screenshot('unsupported-file');
    await importPanel.getByRole('button', { name: 'Dismiss' }).click();
    await importPanel.waitFor({ state: 'detached' });
  });

  it('takes three dropped files into the inbox', async () => {
    const { page } = app;
    await dropFiles(page, files);
    const importPanel = page.getByRole('region', { name: 'Import finished' });
    await importPanel.getByText('3 files added to the inbox.').waitFor();
    await importPanel.getByRole('button', { name: 'Open the inbox' }).click();
    await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    const list = page.getByRole('list', { name: 'Inbox items' });
    for (const file of files) await list.getByRole('listitem', { name: file.name }).waitFor();
    expect(await list.getByRole('listitem').count()).toBe(3);
    await expect
      .poll(() => imagesLoaded(list), { timeout: 15_000 })
      .toEqual({ total: 3, loaded: 3 });
    await app.screenshot('inbox');
  });

  it('files the three as one batch and shows them uploading to done', async () => {
    const { page } = app;
    await page.getByRole('checkbox', { name: 'Select all' }).check();
    await page.getByRole('combobox', { name: 'Patient' }).fill('Lovelace');
    await page.getByRole('option', { name: PATIENT }).click();
    await page.getByText(/Patient: .*Lovelace/).waitFor();
    await page.getByRole('combobox', { name: 'Category' }).selectOption({ label: 'Referral' });
    await page.getByRole('button', { name: 'File 3 items' }).click();
    await page.getByRole('status').filter({ hasText: '3 items filed to' }).waitFor();
    await page.getByText('The inbox is empty: everything is filed.').waitFor();

    await page.getByRole('link', { name: 'Upload queue' }).click();
    await page.getByRole('heading', { name: 'Upload queue', level: 1 }).waitFor();
    const uploads = page.getByRole('list', { name: 'Uploads' });
    for (const file of files) {
      const row = uploads.getByRole('listitem', { name: file.name });
      await row.getByText('Done', { exact: true }).waitFor({ timeout: 30_000 });
      const bar = row.getByRole('progressbar', { name: `${file.name} progress` });
      expect(await bar.getAttribute('aria-valuenow')).toBe('100');
    }
    await page
      .getByRole('contentinfo', { name: 'Status bar' })
      .getByText('No uploads pending')
      .waitFor();
    await app.screenshot('upload-queue');
  });

  it('shows the three with their thumbnails in the patient’s gallery', async () => {
    const { page } = app;
    await page.getByRole('link', { name: 'Patients' }).click();
    await page
      .getByRole('list', { name: 'Recent patients' })
      .getByRole('button', { name: PATIENT })
      .click();
    const gallery = page.getByRole('region', { name: 'Gallery' });
    for (const title of ['referral-letter', 'wound-photo', 'insurance-card']) {
      await gallery.getByRole('button', { name: new RegExp(title) }).waitFor();
    }
    await expect
      .poll(() => imagesLoaded(gallery), { timeout: 15_000 })
      .toEqual({ total: 3, loaded: 3 });
    await app.screenshot('gallery');
  });

  it('opens the PDF, takes a drawn stroke and a text note on its first page', async () => {
    const { page } = app;
    await page
      .getByRole('region', { name: 'Gallery' })
      .getByRole('button', { name: /referral-letter/ })
      .click();
    await page.getByRole('img', { name: 'Page 1', exact: true }).waitFor();
    const layer = page.getByRole('img', { name: 'Annotations on page 1: none' });
    await layer.scrollIntoViewIfNeeded();
    const tools = page.getByRole('toolbar', { name: 'Annotation tools' });
    const panel = page.getByRole('complementary', { name: 'Annotations' });

    await tools.getByRole('button', { name: 'Draw', exact: true }).click();
    const stroke: [number, number][] = [
      [0.2, 0.3],
      [0.3, 0.34],
      [0.4, 0.32],
      [0.5, 0.38],
    ];
    const at = await pointOn(layer);
    await page.mouse.move(...at(stroke[0]!));
    await page.mouse.down();
    for (const point of stroke.slice(1)) await page.mouse.move(...at(point), { steps: 4 });
    await page.mouse.up();
    await panel.getByRole('button', { name: /^Page 1: Drawing/ }).waitFor();

    await tools.getByRole('button', { name: 'Text', exact: true }).click();
    await page.mouse.click(...at([0.6, 0.2]));
    const note = page.getByRole('form', { name: 'New note' });
    await note.getByLabel('Note text').fill('Check the dosage with the referrer');
    await note.getByRole('button', { name: 'Save' }).click();
    await panel
      .getByRole('button', { name: /^Page 1: Note “Check the dosage with the referrer”/ })
      .waitFor();
    await page.getByRole('img', { name: 'Annotations on page 1: 2 annotations' }).waitFor();

    placed = await annotationBoxes(page);
    expect(Object.keys(placed)).toHaveLength(2);
    await app.screenshot('viewer-annotations');

    // Stored in document coordinates (fractions of the page), where the pointer was.
    const stored = await storedAnnotations();
    const drawing = stored.find((a) => a.type === 'freehand');
    const text = stored.find((a) => a.type === 'text');
    expect(stored).toHaveLength(2);
    expect(drawing!.content.points![0]![0]).toBeCloseTo(0.2, 1);
    expect(drawing!.content.points![0]![1]).toBeCloseTo(0.3, 1);
    expect(drawing!.content.points!.at(-1)![0]).toBeCloseTo(0.5, 1);
    expect(text!.content).toMatchObject({ text: 'Check the dosage with the referrer' });
    expect(text!.content.x).toBeCloseTo(0.6, 1);
    expect(text!.content.y).toBeCloseTo(0.2, 1);
  });

  it('shows the stroke and the note where they were after a reload', async () => {
    const { page } = app;
    await page.reload();
    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
    await page
      .getByRole('list', { name: 'Recent patients' })
      .getByRole('button', { name: PATIENT })
      .click();
    await page
      .getByRole('region', { name: 'Gallery' })
      .getByRole('button', { name: /referral-letter/ })
      .click();
    const layer = page.getByRole('img', { name: 'Annotations on page 1: 2 annotations' });
    await layer.waitFor();
    await layer.scrollIntoViewIfNeeded();
    const panel = page.getByRole('complementary', { name: 'Annotations' });
    await panel.getByRole('button', { name: /^Page 1: Drawing/ }).waitFor();
    await panel
      .getByRole('button', { name: /^Page 1: Note “Check the dosage with the referrer”/ })
      .waitFor();
    const after = await annotationBoxes(page);
    expect(Object.keys(after).sort()).toEqual(Object.keys(placed).sort());
    for (const [id, box] of Object.entries(placed)) {
      for (const side of ['left', 'top', 'width', 'height'] as const) {
        expect(after[id]![side], `${id} ${side}`).toBeCloseTo(box[side], 2);
      }
    }
    await app.screenshot('viewer-annotations-after-reload');
  });
});

interface StoredAnnotation {
  type: string;
  pageNumber: number;
  content: { x?: number; y?: number; text?: string; points?: [number, number][] };
}

/** The annotations of the referral letter as main's services read them from the API. */
async function storedAnnotations(): Promise<StoredAnnotation[]> {
  const call = app.headless.services.handlers as unknown as Record<
    string,
    (input: unknown) => Promise<unknown>
  >;
  const patients = (await call['patients:search']!({ q: 'Lovelace' })) as {
    items: { id: string }[];
  };
  const documents = (await call['documents:list']!({ patientId: patients.items[0]!.id })) as {
    items: { id: string; fileName: string }[];
  };
  const letter = documents.items.find((d) => d.fileName === 'referral-letter.pdf');
  if (!letter) throw new Error('referral-letter.pdf is not among the patient’s documents.');
  return (await call['annotations:list']!({ documentId: letter.id })) as StoredAnnotation[];
}

type Box = { left: number; top: number; width: number; height: number };
let placed: Record<string, Box> = {};

/** Page coordinates of a point given as fractions of an element's box. */
async function pointOn(element: Locator): Promise<(point: [number, number]) => [number, number]> {
  const box = await element.boundingBox();
  if (!box) throw new Error('The annotation layer of page 1 is not on screen.');
  return ([x, y]) => [box.x + box.width * x, box.y + box.height * y];
}

/** Each annotation's drawn box on page 1, as fractions of the page's annotation layer. */
function annotationBoxes(page: Page): Promise<Record<string, Box>> {
  return page.getByRole('img', { name: /^Annotations on page 1/ }).evaluate((svg) => {
    interface El {
      getBoundingClientRect(): Box;
      getAttribute(name: string): string | null;
      querySelectorAll(selector: string): ArrayLike<El>;
    }
    const layer = svg as unknown as El;
    const frame = layer.getBoundingClientRect();
    const result: Record<string, Box> = {};
    for (const g of Array.from(layer.querySelectorAll('g[data-annotation-id]'))) {
      const r = g.getBoundingClientRect();
      result[g.getAttribute('data-annotation-id')!] = {
        left: (r.left - frame.left) / frame.width,
        top: (r.top - frame.top) / frame.height,
        width: r.width / frame.width,
        height: r.height / frame.height,
      };
    }
    return result;
  });
}
