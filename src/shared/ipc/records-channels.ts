// The records channels and events of the IPC contract and the `window.api` function each is exposed
// as; merged into ./channels.ts. No zod here (the preload bundles this). Schemas: ./records.ts.

/** Request/response channels: renderer asks, main answers. */
export const RECORDS_METHODS = {} as const;

/** Events main pushes for this feature. */
export const RECORDS_EVENT_METHODS = {} as const;
