// What the renderer says when a call through window.api fails. Main already words its errors for
// a person (RemoteError.message); the code decides only whether the screen offers something more.
import { RemoteError } from '../../../shared/ipc/wire.js';

/** The message to show for a failed call or a thrown value. */
export function messageOf(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return typeof error === 'string' && error ? error : 'Something went wrong; please try again.';
}

/** The stable code of a failed call (an API error code, `offline`, …), or undefined. */
export function codeOf(error: unknown): string | undefined {
  if (error instanceof RemoteError) return error.code;
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
