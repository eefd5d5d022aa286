// The zod schemas of the ingest channels and events named in ./ingest-channels.ts; merged into
// ./contract.ts.
import type { z } from 'zod';

export const INGEST_CONTRACT = {} as const satisfies Record<
  string,
  { input: z.ZodType; output: z.ZodType }
>;

export const INGEST_EVENTS = {} as const satisfies Record<string, z.ZodType>;
