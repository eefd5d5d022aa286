// The channels of the IPC contract and the `window.api` function each one is exposed as. Kept
// apart from the schemas in ./contract.ts, which must name exactly these channels, so that the
// preload, which only forwards calls for main to validate, does not bundle zod.

export const API_HEALTH = 'api:health';

export const IPC_METHODS = {
  [API_HEALTH]: 'health',
} as const;

export type Channel = keyof typeof IPC_METHODS;
export const CHANNELS = Object.keys(IPC_METHODS) as Channel[];
