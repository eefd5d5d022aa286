// What the renderer may know about the sign-in: who is signed in, to which server, and whether
// that server can be reached, never the access token itself, which stays in main. Objects are
// strict so a token added to them by mistake breaks the IPC contract instead of reaching the page.
import { z } from 'zod';
import { Me } from '../api/schemas.js';

export const SIGNED_OUT_REASONS = ['not-signed-in', 'signed-out', 'session-expired'] as const;
export type SignedOutReason = (typeof SIGNED_OUT_REASONS)[number];

export const SignedInState = z.strictObject({
  signedIn: z.literal(true),
  serverUrl: z.string(),
  user: Me,
  /** the server could not be reached the last time it was asked; queued work waits */
  offline: z.boolean(),
  /** why the server is offline, or another notice for the user; null when there is none */
  message: z.string().nullable(),
});
export type SignedInState = z.infer<typeof SignedInState>;

export const SignedOutState = z.strictObject({
  signedIn: z.literal(false),
  serverUrl: z.string(),
  reason: z.enum(SIGNED_OUT_REASONS),
  message: z.string().nullable(),
});
export type SignedOutState = z.infer<typeof SignedOutState>;

export const SessionState = z.discriminatedUnion('signedIn', [SignedInState, SignedOutState]);
export type SessionState = z.infer<typeof SessionState>;

/** Why a sign-in did not succeed: each has its own message on the sign-in screen. */
export const SIGN_IN_FAILURES = [
  'invalid_credentials',
  'login_throttled',
  'server_unreachable',
  'already_signed_in',
  'sign_in_failed',
] as const;

export const SignInResult = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), session: SignedInState }),
  z.strictObject({
    ok: z.literal(false),
    code: z.enum(SIGN_IN_FAILURES),
    message: z.string(),
    /** for `login_throttled`: whole minutes until the next attempt may succeed */
    retryAfterMinutes: z.number().int().positive().optional(),
  }),
]);
export type SignInResult = z.infer<typeof SignInResult>;

/**
 * How saved secrets (the sign-in) are protected on this computer. `basic-text` is Linux without
 * a keyring: encrypted with a key any program of the user can read. `memory-only` means nothing
 * can be encrypted, so the sign-in lasts until the app quits.
 */
export const SECRET_PROTECTIONS = ['os-keyring', 'basic-text', 'memory-only', 'plaintext'] as const;

export const SecretStorageStatus = z.strictObject({
  protection: z.enum(SECRET_PROTECTIONS),
  /** the Linux password store Electron chose, e.g. `gnome_libsecret`; null elsewhere */
  backend: z.string().nullable(),
  /** what the user should know and can do, or null when secrets are protected by the OS */
  warning: z.string().nullable(),
});
export type SecretStorageStatus = z.infer<typeof SecretStorageStatus>;
