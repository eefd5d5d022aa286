// Patients, documents and annotations for the renderer, through the signed-in session's API
// client: the token stays in main, and the renderer gets signed, short-lived URLs for bytes.
// Every failure comes back as a RecordsError that says what could not be done and keeps the
// API's code (a stale annotation edit stays 'conflict', so the viewer can offer to reload).
//
// Offline (issue #6): a document the offline cache holds opens from it, online or not, through
// a loopback URL of main's content server. When the server cannot be reached, patients,
// encounters, documents and annotations come from the cache's metadata, and annotation changes
// go to the outbox, which sends them once the server answers again.
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
import { OfflineError, type ApiHttp } from '../api/http.js';
import type { OfflineService } from '../offline/offline-service.js';
import { AnnotatedExport } from './export.js';
import { recordsErrorOf, RecordsError } from './errors.js';

const PatientPage = pageOf(Patient);
const DocumentPage = pageOf(DocumentReference);
const EncounterList = z.object({ items: z.array(Encounter) });

export interface RecordsSession {
  api: ApiHttp;
  state(): { signedIn: boolean };
}

export interface RecordsServiceOptions {
  session: RecordsSession;
  fetch: typeof globalThis.fetch;
  /** where exported PDFs are written */
  exportDir: string;
  /** the offline cache and outbox, once started */
  offline?: () => OfflineService | undefined;
}

export class RecordsService {
  private readonly session: RecordsSession;
  private readonly exporter: AnnotatedExport;
  private readonly offline: () => OfflineService | undefined;

  constructor(o: RecordsServiceOptions) {
    this.session = o.session;
    this.offline = o.offline ?? (() => undefined);
    this.exporter = new AnnotatedExport({ fetch: o.fetch, dir: o.exportDir });
  }

  searchPatients(input: PatientSearch): Promise<Page<Patient>> {
    return this.call('search patients', (api) =>
      api('GET', `/patients${query(input)}`, { schema: PatientPage }),
    );
  }

  getPatient({ id }: { id: string }): Promise<Patient> {
    return this.call('open the patient', (api) =>
      this.orFromCache(
        () => api('GET', `/patients/${id}`, { schema: Patient }),
        (offline) => offline.cache.cachedPatient(id),
      ),
    );
  }

  listEncounters({ patientId }: { patientId: string }): Promise<Encounter[]> {
    return this.call('list the encounters', (api) =>
      this.orFromCache(
        async () => {
          const answer = await api('GET', `/patients/${patientId}/encounters`, {
            schema: EncounterList,
          });
          return answer.items;
        },
        (offline) => offline.cache.cachedEncounters(patientId),
      ),
    );
  }

  listDocuments(input: DocumentListInput): Promise<Page<DocumentReference>> {
    return this.call('list the documents', (api) =>
      this.orFromCache(
        () => this.listFromServer(api, input),
        async (offline) => {
          if (input.cursor || input.status === 'deleted') return null;
          const cached = await offline.cache.cachedDocuments({
            patientId: input.patientId,
            encounterId: input.encounterId,
          });
          // Nothing of this patient is here: "no documents" would be untrue, so say offline.
          const known =
            cached.length > 0 ||
            (input.patientId !== undefined &&
              (await offline.cache.cachedPatient(input.patientId)) !== null);
          if (!known) return null;
          return { items: cached.filter((d) => matchesFilter(d, input)), nextCursor: null };
        },
      ),
    );
  }

  private listFromServer(api: ApiHttp, input: DocumentListInput): Promise<Page<DocumentReference>> {
    return api('GET', `/documents${query(input)}`, { schema: DocumentPage });
  }

  getThumbnailUrls({ ids }: { ids: string[] }): Promise<ThumbnailUrls> {
    return this.call('load the thumbnails', (api) =>
      this.orFromCache(
        () => api('POST', '/documents/thumbnail-urls', { body: { ids }, schema: ThumbnailUrls }),
        async (offline) => {
          // Offline, the thumbnails kept with offline copies, served like their files.
          const urls: Record<string, string | null> = {};
          let expiresAt = new Date(Date.now() + 60_000).toISOString();
          for (const id of ids) {
            const kept = await offline.cache.cachedThumbnail(id);
            const grant = kept ? offline.content.grant(id, 'thumbnail') : null;
            urls[id] = grant?.url ?? null;
            if (grant) expiresAt = grant.expiresAt;
          }
          return { urls, expiresAt };
        },
      ),
    );
  }

  getDocument({ id }: { id: string }): Promise<DocumentReference> {
    return this.call('open the document', (api) =>
      this.orFromCache(
        () => api('GET', `/documents/${id}`, { schema: DocumentReference }),
        (offline) => offline.cache.cachedDocument(id),
      ),
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

  /**
   * The document and a URL for its bytes: the offline copy's loopback URL when the cache holds a
   * current one (online or not), else a signed inline URL of the server (audited by the API).
   * Offline, a view from the cache is recorded for the audit log; online, the API's read of the
   * document's metadata is the view it records.
   */
  openDocument({ id }: { id: string }): Promise<OpenedDocument> {
    return this.call('open the document', async (api) => {
      const offline = this.offline();
      const cached = offline ? await offline.cache.cachedDocument(id) : null;
      let document: DocumentReference;
      try {
        document = await api('GET', `/documents/${id}`, { schema: DocumentReference });
      } catch (error) {
        if (!(error instanceof OfflineError)) throw error;
        const url = offline && cached ? await this.cachedUrl(offline, id) : null;
        if (!offline || !cached || !url) {
          throw new RecordsError(
            'offline',
            `Could not open ${cached ? `"${cached.title}"` : `document ${id}`}: it is not available offline and the server cannot be reached (${error.reason}). Mark it available offline while connected to read it without a network.`,
          );
        }
        await offline.cache.recordView(id);
        return { document: cached, ...url };
      }
      if (offline && cached && cached.sha256 === document.sha256) {
        const url = await this.cachedUrl(offline, id);
        if (url) return { document, ...url };
      }
      const urls = await api('POST', `/documents/${id}/urls`, {
        body: { disposition: 'inline' },
        schema: DocumentUrls,
      });
      // Opened once from the server, kept for the next time: then it opens from here.
      offline?.keepCopy(id);
      return { document, url: urls.url, expiresAt: urls.expiresAt };
    });
  }

  /** A loopback URL for the cached bytes, when a sound, current copy is here. */
  private async cachedUrl(
    offline: OfflineService,
    id: string,
  ): Promise<{ url: string; expiresAt: string } | null> {
    const probe = await offline.cache.openStream(id, { start: 0, end: 0 });
    if (!probe) return null;
    probe.stream.destroy();
    return offline.content.grant(id);
  }

  listAnnotations({ documentId }: { documentId: string }): Promise<Annotation[]> {
    return this.call('load the annotations', async (api) => {
      const offline = this.offline();
      const items = await this.orFromCache(
        async () =>
          (await api('GET', `/documents/${documentId}/annotations`, { schema: AnnotationList }))
            .items,
        (o) => this.cachedAnnotations(o, documentId),
      );
      // Changes made offline and not sent yet show as the user left them.
      return offline ? offline.outbox.overlay(documentId, items, offline.user()) : items;
    });
  }

  createAnnotation(input: AnnotationCreateInput): Promise<Annotation> {
    const { documentId, ...body } = input;
    return this.call('save the annotation', async (api) => {
      try {
        return await api('POST', `/documents/${documentId}/annotations`, {
          body,
          schema: Annotation,
        });
      } catch (error) {
        const offline = this.offlineFor(error);
        return offline.outbox.queueCreate(input, offline.user());
      }
    });
  }

  updateAnnotation(input: AnnotationUpdateInput): Promise<Annotation> {
    return this.call('save the annotation', async (api) => {
      const offline = this.offline();
      const queued = offline ? await this.queuedAnnotation(offline, input.id) : null;
      if (offline && queued) {
        // Made or changed offline and not sent yet: the queued change is updated instead.
        const annotation = await offline.outbox.queueUpdate(input, queued, offline.user());
        void offline.flush();
        return annotation;
      }
      const { id, ...body } = input;
      try {
        const serverId = offline ? offline.outbox.serverIdOf(id) : id;
        return await api('PATCH', `/annotations/${serverId}`, { body, schema: Annotation });
      } catch (error) {
        const o = this.offlineFor(error);
        const current = await this.knownAnnotation(o, id);
        if (!current) {
          throw new RecordsError(
            'offline',
            `Could not save the annotation: the server cannot be reached and annotation ${id} is not available offline.`,
          );
        }
        return o.outbox.queueUpdate(input, current, o.user());
      }
    });
  }

  deleteAnnotation({ id, version }: { id: string; version: number }): Promise<{ id: string }> {
    return this.call('delete the annotation', async (api) => {
      const offline = this.offline();
      const queued = offline ? await this.queuedAnnotation(offline, id) : null;
      if (offline && queued) {
        await offline.outbox.queueDelete({ id, version }, queued.documentId, offline.user());
        void offline.flush();
        return { id };
      }
      try {
        const serverId = offline ? offline.outbox.serverIdOf(id) : id;
        await api('DELETE', `/annotations/${serverId}?version=${version}`);
      } catch (error) {
        const o = this.offlineFor(error);
        const current = await this.knownAnnotation(o, id);
        if (!current) {
          throw new RecordsError(
            'offline',
            `Could not delete the annotation: the server cannot be reached and annotation ${id} is not available offline.`,
          );
        }
        await o.outbox.queueDelete({ id, version }, current.documentId, o.user());
      }
      return { id };
    });
  }

  /** The running offline service when `error` says the server cannot be reached; else `error`. */
  private offlineFor(error: unknown): OfflineService {
    const offline = this.offline();
    if (error instanceof OfflineError && offline) return offline;
    throw error;
  }

  private async cachedAnnotations(o: OfflineService, documentId: string) {
    const parsed = AnnotationList.safeParse(await o.cache.cachedAnnotations(documentId));
    return parsed.success ? parsed.data.items : null;
  }

  /** An annotation with a change waiting in the outbox, as the user sees it now. */
  private async queuedAnnotation(o: OfflineService, id: string): Promise<Annotation | null> {
    const documentId = o.outbox.documentOfWaiting(id);
    if (!documentId) return null;
    const base = (await this.cachedAnnotations(o, documentId)) ?? [];
    const serverId = o.outbox.serverIdOf(id);
    return o.outbox.overlay(documentId, base, o.user()).find((a) => a.id === serverId) ?? null;
  }

  /** An annotation as the cache (with the outbox's changes) has it, from any cached document. */
  private async knownAnnotation(o: OfflineService, id: string): Promise<Annotation | null> {
    const serverId = o.outbox.serverIdOf(id);
    for (const document of await o.cache.cachedDocuments()) {
      const base = await this.cachedAnnotations(o, document.id);
      if (!base) continue;
      const found = o.outbox.overlay(document.id, base, o.user()).find((a) => a.id === serverId);
      if (found) return found;
    }
    return null;
  }

  /**
   * `online()`, or when the server cannot be reached, `fromCache`; the OfflineError stands when
   * the cache has nothing to answer with.
   */
  private async orFromCache<T>(
    online: () => Promise<T>,
    fromCache: (offline: OfflineService) => Promise<T | null>,
  ): Promise<T> {
    try {
      return await online();
    } catch (error) {
      const offline = this.offline();
      if (!(error instanceof OfflineError) || !offline) throw error;
      const cached = await fromCache(offline);
      if (cached === null) throw error;
      return cached;
    }
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

/** The list filters the API applies, applied to cached documents. */
function matchesFilter(d: DocumentReference, input: DocumentListInput): boolean {
  const words = input.q?.toLocaleLowerCase().split(/\s+/).filter(Boolean) ?? [];
  return (
    (!input.category || d.category === input.category) &&
    (!input.status || d.status === input.status) &&
    (!input.from || d.documentDate >= input.from) &&
    (!input.to || d.documentDate <= input.to) &&
    matchesTitle(d.title, words)
  );
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
