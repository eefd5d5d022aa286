// Errors the ingest service gives back to the renderer: a stable code the UI can branch on and
// a message that says what failed and what to do.

export type IngestErrorCode =
  | 'not_found'
  | 'not_editable'
  | 'invalid_request'
  | 'busy'
  | 'staged_file_missing'
  | 'scanner_failed'
  | 'feeder_empty'
  | 'unsupported_setting'
  | 'enqueue_failed';

export class IngestError extends Error {
  override name = 'IngestError';
  constructor(
    readonly code: IngestErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
