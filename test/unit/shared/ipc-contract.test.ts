// The IPC contract's own invariants: the preload builds window.api from its channel table, so
// every channel needs a distinct function name and schemas, and results are checked against them.
import { describe, expect, it } from 'vitest';
import {
  ApiHealth,
  CHANNELS,
  IPC_CONTRACT,
  IPC_METHODS,
} from '../../../src/shared/ipc/contract.js';

describe('IPC contract', () => {
  it('gives every channel its own window.api function name', () => {
    const methods = CHANNELS.map((channel) => IPC_METHODS[channel]);
    expect(new Set(methods).size).toBe(CHANNELS.length);
    expect(Object.keys(IPC_CONTRACT).sort()).toEqual([...CHANNELS].sort());
  });

  it('requires a reason whenever the API is unreachable', () => {
    const base = { state: 'unreachable', baseUrl: 'http://127.0.0.1:4000' };
    expect(ApiHealth.safeParse({ ...base, reason: 'it answered HTTP 500' }).success).toBe(true);
    expect(ApiHealth.safeParse(base).success).toBe(false);
    expect(ApiHealth.safeParse({ ...base, state: 'connected' }).success).toBe(false);
  });
});
