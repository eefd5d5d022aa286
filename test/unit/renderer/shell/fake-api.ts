// A stand-in for `window.api` in renderer component tests: the one thing that cannot run here is
// Electron's main process. Each test gives the calls it expects; any other call rejects, naming
// the method, so a test never passes on a call it did not mean to make. Events are emitted by hand.
import type {
  ExposedApi,
  SessionState,
  SignedInState,
} from '../../../../src/shared/ipc/contract.js';
import type { Me } from '../../../../src/shared/api/schemas.js';

type Listener = (payload: unknown) => void;

export interface FakeApi {
  api: ExposedApi;
  /** every call made, in order, as [method, input] */
  calls: [string, unknown][];
  /** sends an event as main would, e.g. emit('onSessionChanged', state) */
  emit(method: string, payload: unknown): void;
}

/** The calls a test answers, by window.api method name, each given the call's input. */
export type FakeMethods = Partial<Record<keyof ExposedApi, (input: never) => unknown>>;

export function fakeApi(methods: FakeMethods): FakeApi {
  const calls: [string, unknown][] = [];
  const listeners = new Map<string, Set<Listener>>();
  const api = new Proxy({} as Record<string, unknown>, {
    get(_target, name) {
      if (typeof name !== 'string') return undefined;
      if (/^on[A-Z]/.test(name)) {
        return (listener: Listener) => {
          const set = listeners.get(name) ?? new Set();
          listeners.set(name, set);
          set.add(listener);
          return () => set.delete(listener);
        };
      }
      return (input: unknown) => {
        calls.push([name, input]);
        const method = (methods as Record<string, ((input: unknown) => unknown) | undefined>)[name];
        if (!method)
          return Promise.reject(new Error(`window.api.${name} is not faked in this test`));
        try {
          return Promise.resolve(method(input));
        } catch (error) {
          return Promise.reject(error);
        }
      };
    },
  }) as unknown as ExposedApi;
  return {
    api,
    calls,
    emit(method, payload) {
      for (const listener of listeners.get(method) ?? []) listener(payload);
    },
  };
}

/** Installs the fake as window.api for the current test. */
export function installApi(fake: FakeApi): FakeApi {
  (window as unknown as { api: ExposedApi }).api = fake.api;
  return fake;
}

export const ORG_ID = '00000000-0000-4000-8000-00000000000a';

export function user(role: Me['role'] = 'clinician'): Me {
  const all = { read: true, write: true };
  return {
    id: '00000000-0000-4000-8000-000000000001',
    email: 'ada@example.test',
    name: 'Ada Lovelace',
    role,
    organization: { id: ORG_ID, name: 'Example Clinic', aclEnabled: false },
    permissions: {
      lab: all,
      imaging: all,
      'clinical-note': all,
      consent: all,
      referral: all,
      insurance: all,
      photo: all,
      other: all,
    },
  };
}

export function signedIn(role: Me['role'] = 'clinician'): SignedInState {
  return {
    signedIn: true,
    serverUrl: 'http://127.0.0.1:4000',
    user: user(role),
    offline: false,
    message: null,
  };
}

export function signedOut(
  reason: 'not-signed-in' | 'signed-out' | 'session-expired' = 'not-signed-in',
  message: string | null = null,
): SessionState {
  return { signedIn: false, serverUrl: 'http://127.0.0.1:4000', reason, message };
}
