// A patient's documents for the documents screen's tests, a fake records API over them that pages
// and signs thumbnails like the real one, and the layout jsdom lacks (it has no sizes, so the
// virtualized grid would render nothing): an 800×600 scroll area.
import type { DocumentReference, Encounter } from '../../../../src/shared/api/schemas.js';
import type { Category } from '../../../../src/shared/domain.js';

export const PATIENT_ID = '10000000-0000-4000-8000-000000000001';
export const ENCOUNTERS: Encounter[] = [
  {
    id: '20000000-0000-4000-8000-000000000001',
    patientId: PATIENT_ID,
    startedAt: '2024-03-01T09:00:00.000Z',
    type: 'Outpatient',
    reason: 'Knee pain',
    status: 'finished',
  },
  {
    id: '20000000-0000-4000-8000-000000000002',
    patientId: PATIENT_ID,
    startedAt: '2024-06-10T09:00:00.000Z',
    type: 'Inpatient',
    reason: null,
    status: 'finished',
  },
];

export function documentId(n: number): string {
  return `30000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export function doc(
  n: number,
  fields: Partial<DocumentReference> & { category?: Category } = {},
): DocumentReference {
  const day = String((n % 28) + 1).padStart(2, '0');
  return {
    id: documentId(n),
    patientId: PATIENT_ID,
    encounterId: null,
    title: `Document ${n}`,
    category: 'other',
    contentType: 'application/pdf',
    url: `/api/v1/documents/${documentId(n)}/content`,
    fileSize: 1000 + n,
    sha256: 'a'.repeat(64),
    thumbnailUrl: null,
    thumbnailStatus: 'ready',
    fileName: `document-${n}.pdf`,
    status: 'current',
    documentDate: `2024-01-${day}`,
    source: 'desktop',
    createdBy: '00000000-0000-4000-8000-000000000001',
    createdAt: `2024-01-${day}T10:00:00.000Z`,
    updatedAt: `2024-01-${day}T10:00:00.000Z`,
    deletedAt: null,
    deletedBy: null,
    ...fields,
  };
}

/** listDocuments over `documents` in pages, as the API answers: cursor is the next offset. */
export function pagedDocuments(documents: DocumentReference[]) {
  return ({ limit = 50, cursor }: { limit?: number; cursor?: string }) => {
    const start = cursor ? Number(cursor) : 0;
    const end = start + limit;
    return {
      items: documents.slice(start, end),
      nextCursor: end < documents.length ? String(end) : null,
    };
  };
}

export function signedThumbnails({ ids }: { ids: string[] }) {
  return {
    urls: Object.fromEntries(ids.map((id) => [id, `https://storage.test/${id}_thumb.webp?sig=1`])),
    expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
  };
}

/** Gives every element the size of an 800×600 viewport and a scroll position, which jsdom lacks. */
export function installLayout(): void {
  // scrollHeight: room to scroll, so the virtualizer does not clamp a scroll to the top
  const size = {
    offsetWidth: 800,
    offsetHeight: 600,
    clientWidth: 800,
    clientHeight: 600,
    scrollHeight: 10_000_000,
  };
  for (const [name, value] of Object.entries(size)) {
    Object.defineProperty(HTMLElement.prototype, name, { configurable: true, get: () => value });
  }
  // jsdom keeps no scroll position of its own.
  const scrollTops = new WeakMap<Element, number>();
  Object.defineProperty(Element.prototype, 'scrollTop', {
    configurable: true,
    get(this: Element) {
      return scrollTops.get(this) ?? 0;
    },
    set(this: Element, value: number) {
      scrollTops.set(this, value);
    },
  });
  HTMLElement.prototype.scrollTo = function scrollTo(
    this: HTMLElement,
    options?: ScrollToOptions | number,
  ) {
    // As in a browser, a scroll to where it already is fires no scroll event.
    if (typeof options !== 'object' || options.top === undefined) return;
    if (options.top === this.scrollTop) return;
    this.scrollTop = options.top;
    this.dispatchEvent(new Event('scroll'));
  } as typeof HTMLElement.prototype.scrollTo;
}
