// Stable error codes carried in every problem+json answer of the API. The UI maps a code to a
// message a person can act on; the text the server sends is a fallback, never parsed.

export const ERROR_CODES = {
  validation_failed: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  session_expired: 401,
  forbidden: 403,
  patient_access_denied: 403,
  category_forbidden: 403,
  admin_only: 403,
  not_found: 404,
  conflict: 409,
  upload_expired: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  file_rejected: 422,
  login_throttled: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** RFC 9457 problem details as this API sends them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  errors?: { path: string; message: string }[];
}
