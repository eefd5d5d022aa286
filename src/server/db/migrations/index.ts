// Every migration, imported statically so bundling keeps them; the key order is the run order.
import type { Migration } from 'kysely';
import * as m0001 from './0001_initial.js';
import * as m0002 from './0002_uploads.js';

export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_uploads': m0002,
};
