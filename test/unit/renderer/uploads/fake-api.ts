// A stand-in for window.api in renderer component tests, where no Electron preload or WebSocket
// exists: every call is a vi.fn (answers undefined unless the test says otherwise), and every
// on* subscription is recorded so the test can push main's events with emit().
import { vi, type Mock } from 'vitest';
import type { MedaiusApi } from '../../../../src/preload/api.js';

type Method = Mock<(...args: never[]) => unknown>;

export interface FakeApi {
  api: MedaiusApi;
  /** the vi.fn behind a window.api function, created on first use */
  fn(name: string): Method;
  /** pushes an event to every listener of `on*` method `name` */
  emit(name: string, payload: unknown): void;
  listeners(name: string): number;
}

export function installFakeApi(
  answers: Record<string, (...args: never[]) => unknown> = {},
  { withPaths = false }: { withPaths?: boolean } = {},
): FakeApi {
  const fns = new Map<string, Method>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const fn = (name: string): Method => {
    let mock = fns.get(name);
    if (!mock) {
      mock = vi.fn(answers[name] ?? (() => Promise.resolve(undefined)));
      fns.set(name, mock);
    }
    return mock;
  };
  const api = new Proxy({} as MedaiusApi, {
    get(_target, name) {
      if (typeof name !== 'string' || name === 'then') return undefined;
      if (name === 'pathForFile' && !withPaths && !answers.pathForFile) return undefined;
      if (/^on[A-Z]/.test(name)) {
        return (listener: (payload: unknown) => void) => {
          const set = listeners.get(name) ?? new Set();
          listeners.set(name, set);
          set.add(listener);
          return () => set.delete(listener);
        };
      }
      return fn(name);
    },
  });
  (window as { api: MedaiusApi }).api = api;
  return {
    api,
    fn,
    emit(name, payload) {
      for (const listener of [...(listeners.get(name) ?? [])]) listener(payload);
    },
    listeners: (name) => listeners.get(name)?.size ?? 0,
  };
}
