// Patients, documents and annotations for the renderer, through the signed-in session's API
// client: the token stays in main, and the renderer gets signed, short-lived URLs for bytes.
// Every failure comes back as a RecordsError that says what could not be done and keeps the
// API's code (a stale annotation edit stays 'conflict', so the viewer can offer to reload).
import { z } from 'zod';
import { Annotation, AnnotationList } from '../../../shared/api/annotations.js';
import { ThumbnailUrls } from '../../../shared/api/document-urls.js';
import {
  DocumentReference,
  DocumentUrls,
  Encounter,
  Patient,
  pageOf,
  type DocumentPatch,
  type Page,
} from '../../../shared/api/schemas.js';
import type {
  AnnotationCreateInput,
  AnnotationExport,
  AnnotationUpdateInput,
  DocumentListInput,
  OpenedDocument,
  PatientSearch,
} from '../../../shared/ipc/records.js';
import type { ApiHttp } from '../api/http.js';
import { AnnotatedExport } from './export.js';
import { recordsErrorOf, RecordsError } from './errors.js';

const PatientPage = pageOf(Patient);
const DocumentPage = pageOf(DocumentReference);
const EncounterList = z.object({ items: z.array(Encounter) });

/** The API answers pages of at most this many documents. */
const API_PAGE = 100;
/**
 * Until the API filters titles itself, `documents:list` with `q` filters here, reading at most
 * this many documents per call; the answer's cursor continues the search where it stopped.
 */
export const TITLE_SCAN_BUDGET = 2_000;

export interface RecordsSession {
  api: ApiHttp;
  state(): { signedIn: boolean };
}

export interface RecordsServiceOptions {
  session: RecordsSession;
  fetch: typeof globalThis.fetch;
  /** where exported PDFs are written */
  exportDir: string;
}

export class RecordsService {
  private readonly session: RecordsSession;
  private readonly exporter: AnnotatedExport;

  constructor(o: RecordsServiceOptions) {
    this.session = o.session;
    this.exporter = new AnnotatedExport({ fetch: o.fetch, dir: o.exportDir });
  }

  searchPatients(input: PatientSearch): Promise<Page<Patient>> {
    return this.call('search patients', (api) =>
      api('GET', `/patients${query(input)}`, { schema: PatientPage }),
    );
  }

  getPatient({ id }: { id: string }): Promise<Patient> {
    return this.call('open the patient', (api) =>
      api('GET', `/patients/${id}`, { schema: Patient }),
    );
  }

  listEncounters({ patientId }: { patientId: string }): Promise<Encounter[]> {
    return this.call('list the encounters', async (api) => {
      const answer = await api('GET', `/patients/${patientId}/encounters`, {
        schema: EncounterList,
      });
      return answer.items;
    });
  }

  listDocuments(input: DocumentListInput): Promise<Page<DocumentReference>> {
    const { q, ...filter } = input;
    return this.call('list the documents', async (api) => {
      const words = q?.toLocaleLowerCase().split(/\s+/).filter(Boolean) ?? [];
      if (words.length === 0) {
        return api('GET', `/documents${query(filter)}`, { schema: DocumentPage });
      }
      // Whole pages are read and filtered, so the answer may hold more than `limit` items;
      // its cursor is the API's own, after the last document read.
      const wanted = filter.limit ?? 50;
      const items: DocumentReference[] = [];
      let cursor = filter.cursor;
      let read = 0;
      for (;;) {
        const page = await api(
          'GET',
          `/documents${query({ ...filter, cursor, limit: API_PAGE })}`,
          {
            schema: DocumentPage,
          },
        );
        read += page.items.length;
        items.push(...page.items.filter((d) => matchesTitle(d.title, words)));
        cursor = page.nextCursor ?? undefined;
        if (!cursor || items.length >= wanted || read >= TITLE_SCAN_BUDGET) break;
      }
      return { items, nextCursor: cursor ?? null };
    });
  }

  getThumbnailUrls({ ids }: { ids: string[] }): Promise<ThumbnailUrls> {
    return this.call('load the thumbnails', (api) =>
      api('POST', '/documents/thumbnail-urls', { body: { ids }, schema: ThumbnailUrls }),
    );
  }

  getDocument({ id }: { id: string }): Promise<DocumentReference> {
    return this.call('open the document', (api) =>
      api('GET', `/documents/${id}`, { schema: DocumentReference }),
    );
  }

  updateDocument({ id, patch }: { id: string; patch: DocumentPatch }): Promise<DocumentReference> {
    return this.call('save the document', (api) =>
      api('PATCH', `/documents/${id}`, { body: patch, schema: DocumentReference }),
    );
  }

  deleteDocument({ id }: { id: string }): Promise<{ id: string }> {
    return this.call('delete the document', async (api) => {
      await api('DELETE', `/documents/${id}`);
      return { id };
    });
  }

  restoreDocument({ id }: { id: string }): Promise<DocumentReference> {
    return this.call('restore the document', (api) =>
      api('POST', `/documents/${id}/restore`, { schema: DocumentReference }),
    );
  }

  /** The document and a signed inline URL for its bytes (both audited by the API). */
  openDocument({ id }: { id: string }): Promise<OpenedDocument> {
    return this.call('open the document', async (api) => {
      const [document, urls] = await Promise.all([
        api('GET', `/documents/${id}`, { schema: DocumentReference }),
        api('POST', `/documents/${id}/urls`, {
          body: { disposition: 'inline' },
          schema: DocumentUrls,
        }),
      ]);
      return { document, url: urls.url, expiresAt: urls.expiresAt };
    });
  }

  listAnnotations({ documentId }: { documentId: string }): Promise<Annotation[]> {
    return this.call('load the annotations', async (api) => {
      const answer = await api('GET', `/documents/${documentId}/annotations`, {
        schema: AnnotationList,
      });
      return answer.items;
    });
  }

  createAnnotation(input: AnnotationCreateInput): Promise<Annotation> {
    const { documentId, ...body } = input;
    return this.call('save the annotation', (api) =>
      api('POST', `/documents/${documentId}/annotations`, { body, schema: Annotation }),
    );
  }

  updateAnnotation(input: AnnotationUpdateInput): Promise<Annotation> {
    const { id, ...body } = input;
    return this.call('save the annotation', (api) =>
      api('PATCH', `/annotations/${id}`, { body, schema: Annotation }),
    );
  }

  deleteAnnotation({ id, version }: { id: string; version: number }): Promise<{ id: string }> {
    return this.call('delete the annotation', async (api) => {
      await api('DELETE', `/annotations/${id}?version=${version}`);
      return { id };
    });
  }

  /** Writes the document with its annotations drawn in as a PDF on this computer. */
  exportAnnotatedPdf({ documentId }: { documentId: string }): Promise<AnnotationExport> {
    return this.call('export the annotated PDF', async (api) => {
      const [document, urls, annotations] = await Promise.all([
        api('GET', `/documents/${documentId}`, { schema: DocumentReference }),
        api('POST', `/documents/${documentId}/urls`, {
          body: { disposition: 'attachment' },
          schema: DocumentUrls,
        }),
        api('GET', `/documents/${documentId}/annotations`, { schema: AnnotationList }),
      ]);
      return this.exporter.write(document, urls.url, annotations.items);
    });
  }

  private async call<T>(action: string, request: (api: ApiHttp) => Promise<T>): Promise<T> {
    if (!this.session.state().signedIn) {
      throw new RecordsError('unauthenticated', `Sign in to ${action}.`);
    }
    try {
      return await request(this.session.api);
    } catch (error) {
      throw recordsErrorOf(error, action);
    }
  }
}

function matchesTitle(title: string, words: string[]): boolean {
  const lower = title.toLocaleLowerCase();
  return words.every((word) => lower.includes(word));
}

/** `?a=1&b=2` of the defined values, or '' when there are none. */
function query(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
