// The sign-in as main reports it, and the sign-in itself: one store the shell reads to choose
// between the sign-in screen and the app. Main holds the token; this holds only what it tells us.
// A session that ends (signed out elsewhere, expired) only swaps the screen: the upload queue and
// inbox live in main, and the other features' stores keep their state for when the user is back.
import { create } from 'zustand';
import type {
  SecretStorageStatus,
  SessionState,
  SignInResult,
} from '../../../../shared/ipc/contract.js';
import { ServerUrl } from '../../../../shared/ipc/settings.js';
import { messageOf } from '../../lib/errors.js';

type SignInFailureCode = Extract<SignInResult, { ok: false }>['code'];

export interface SignInFailure {
  code: SignInFailureCode | 'invalid_server_url' | 'missing_credentials' | 'error';
  message: string;
}

export interface SignInInput {
  serverUrl: string;
  email: string;
  password: string;
}

interface SessionStore {
  status: 'loading' | 'ready' | 'failed';
  session: SessionState | null;
  /** why the session could not be read at all */
  loadError: string | null;
  /** how the sign-in is stored on this computer, when the user should know */
  secretWarning: string | null;
  /** the warning the user dismissed for this run */
  secretWarningDismissed: string | null;
  signingIn: boolean;
  signInFailure: SignInFailure | null;
  signingOut: boolean;
  signOutError: string | null;
  /** Reads the session and follows main's events; returns the unsubscribe. */
  start(): () => void;
  signIn(input: SignInInput): Promise<boolean>;
  signOut(): Promise<void>;
}

export const useSession = create<SessionStore>((set, get) => ({
  status: 'loading',
  session: null,
  loadError: null,
  secretWarning: null,
  secretWarningDismissed: null,
  signingIn: false,
  signInFailure: null,
  signingOut: false,
  signOutError: null,

  start() {
    const api = window.api;
    const showSession = (session: SessionState) =>
      set({ status: 'ready', session, loadError: null });
    const showSecrets = (status: SecretStorageStatus) => set({ secretWarning: status.warning });
    const unsubscribers = [
      api.onSessionChanged(showSession),
      api.onSecretBackendWarning(showSecrets),
    ];
    api.getSession().then(showSession, (error: unknown) => {
      if (get().session === null) set({ status: 'failed', loadError: messageOf(error) });
    });
    api.getSecretStatus().then(showSecrets, (error: unknown) =>
      set({
        secretWarning: `The app could not say how your sign-in is stored (${messageOf(error)}).`,
      }),
    );
    return () => unsubscribers.forEach((unsubscribe) => unsubscribe());
  },

  async signIn({ serverUrl, email, password }) {
    if (!email.trim() || !password) {
      set({
        signInFailure: {
          code: 'missing_credentials',
          message: 'Enter your e-mail address and password.',
        },
      });
      return false;
    }
    set({ signingIn: true, signInFailure: null });
    try {
      const url = ServerUrl.safeParse(serverUrl);
      if (!url.success) {
        set({
          signInFailure: {
            code: 'invalid_server_url',
            message: url.error.issues[0]?.message ?? 'Enter the server address as a URL.',
          },
        });
        return false;
      }
      if (url.data !== get().session?.serverUrl) {
        await window.api.updateSettings({ serverUrl: url.data });
      }
      const result = await window.api.signIn({ email, password });
      if (!result.ok) {
        set({ signInFailure: { code: result.code, message: result.message } });
        return false;
      }
      set({ status: 'ready', session: result.session, signOutError: null });
      return true;
    } catch (error) {
      set({ signInFailure: { code: 'error', message: messageOf(error) } });
      return false;
    } finally {
      set({ signingIn: false });
    }
  },

  async signOut() {
    set({ signingOut: true, signOutError: null });
    try {
      const session = await window.api.signOut();
      set({ status: 'ready', session });
    } catch (error) {
      set({ signOutError: messageOf(error) });
    } finally {
      set({ signingOut: false });
    }
  },
}));
