// The window.api functions the viewer and the annotation tools call (PLAN: records channels).
// Typed here from the shared schemas so this feature compiles before the records channels are
// merged into the IPC contract; `viewerApi()` is window.api seen through this interface.
import type {
  Annotation,
  AnnotationContent,
  AnnotationKind,
} from '../../../../shared/api/annotations.js';

export interface OpenedDocument {
  document: {
    id: string;
    title: string;
    contentType: string;
    fileName?: string | null;
    pageCount?: number | null;
  };
  /** a signed, inline URL on the companion API (or its storage) */
  url: string;
  expiresAt: string;
}

export interface ViewerApi {
  openDocument(input: { id: string }): Promise<OpenedDocument>;
  listAnnotations(input: { documentId: string }): Promise<Annotation[]>;
  createAnnotation(input: {
    documentId: string;
    pageNumber: number;
    type: AnnotationKind;
    content: AnnotationContent;
  }): Promise<Annotation>;
  updateAnnotation(input: {
    id: string;
    version: number;
    pageNumber?: number;
    content?: AnnotationContent;
  }): Promise<Annotation>;
  deleteAnnotation(input: { id: string; version: number }): Promise<unknown>;
  exportAnnotatedPdf(input: { documentId: string }): Promise<{ path: string; fileName: string }>;
}

export function viewerApi(): ViewerApi {
  return window.api as unknown as ViewerApi;
}

/** The stable code of a failed window.api call (RemoteError), if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
