// What a person does in the page that Playwright has no single call for: dropping files from the
// desktop onto the window. The functions passed to page.evaluate run in Chromium; the test
// project is type-checked without the DOM library, so they name the few browser globals they use.
import type { Locator, Page } from 'playwright-core';

export interface DroppedFile {
  name: string;
  type: string;
  bytes: Uint8Array;
}

interface Target {
  dispatchEvent(event: unknown): boolean;
}
interface PageGlobals {
  document: {
    elementFromPoint(x: number, y: number): Target | null;
    body: Target;
    documentElement: { clientWidth: number; clientHeight: number };
  };
  DataTransfer: new () => { items: { add(file: unknown): unknown }; dropEffect: string };
  File: new (parts: unknown[], name: string, options: { type: string }) => unknown;
  DragEvent: new (type: string, init: Record<string, unknown>) => unknown;
  atob(data: string): string;
}

/**
 * Drops `files` onto the page, as dragging them from the file manager does: dragenter, dragover
 * and drop with a DataTransfer holding real File objects, on the element in the middle of the
 * window (or of `onto`), from where the events bubble to whatever listens.
 */
export async function dropFiles(page: Page, files: DroppedFile[], onto?: Locator): Promise<void> {
  const box = onto ? await onto.boundingBox() : null;
  const point = box ? { x: box.x + box.width / 2, y: box.y + box.height / 2 } : null;
  const payload = files.map((f) => ({
    name: f.name,
    type: f.type,
    base64: Buffer.from(f.bytes).toString('base64'),
  }));
  await page.evaluate(
    ({ payload, point }) => {
      const w = globalThis as unknown as PageGlobals;
      const transfer = new w.DataTransfer();
      for (const file of payload) {
        const binary = w.atob(file.base64);
        const bytes = new Uint8Array(binary.length);
        for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
        transfer.items.add(new w.File([bytes], file.name, { type: file.type }));
      }
      const x = point?.x ?? w.document.documentElement.clientWidth / 2;
      const y = point?.y ?? w.document.documentElement.clientHeight / 2;
      const target = w.document.elementFromPoint(x, y) ?? w.document.body;
      for (const type of ['dragenter', 'dragover', 'drop']) {
        target.dispatchEvent(
          new w.DragEvent(type, {
            bubbles: true,
            cancelable: true,
            composed: true,
            clientX: x,
            clientY: y,
            dataTransfer: transfer,
          }),
        );
      }
    },
    { payload, point },
  );
}

/** True once every <img> under `scope` has loaded real pixels (not a broken image). */
export async function imagesLoaded(scope: Locator): Promise<{ total: number; loaded: number }> {
  return scope.locator('img').evaluateAll((images) => {
    const list = images as unknown as { complete: boolean; naturalWidth: number }[];
    return {
      total: list.length,
      loaded: list.filter((img) => img.complete && img.naturalWidth > 0).length,
    };
  });
}
