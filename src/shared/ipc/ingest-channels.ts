// The ingest channels and events of the IPC contract and the `window.api` function each is exposed
// as; merged into ./channels.ts. No zod here (the preload bundles this). Schemas: ./ingest.ts.

/** Request/response channels: renderer asks, main answers. */
export const INGEST_METHODS = {} as const;

/** Events main pushes for this feature. */
export const INGEST_EVENT_METHODS = {} as const;
