// The zod schemas of the records channels and events named in ./records-channels.ts; merged into
// ./contract.ts.
import type { z } from 'zod';

export const RECORDS_CONTRACT = {} as const satisfies Record<
  string,
  { input: z.ZodType; output: z.ZodType }
>;

export const RECORDS_EVENTS = {} as const satisfies Record<string, z.ZodType>;
