// The window.api functions the viewer and the annotation tools call, as one narrow type, so the
// stores can be handed a fake of just these in tests; and how their failures read.
import type { MedaiusApi } from '../../../../preload/api.js';

export type { OpenedDocument } from '../../../../shared/ipc/records.js';

export type ViewerApi = Pick<
  MedaiusApi,
  | 'openDocument'
  | 'listAnnotations'
  | 'createAnnotation'
  | 'updateAnnotation'
  | 'deleteAnnotation'
  | 'exportAnnotatedPdf'
>;

export function viewerApi(): ViewerApi {
  return window.api;
}

/** The stable code of a failed window.api call (RemoteError), if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
