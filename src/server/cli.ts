// `npm run server -- [serve|migrate|seed-demo]`: the companion API's command line.
import { parseArgs } from 'node:util';
import { systemClock } from './clock.js';
import { ConfigError, loadConfig, type ServerConfig } from './config.js';
import { findOrphans, parseAge } from './services/orphans.js';
import { createStorage } from './storage/index.js';
import { UrlSigner } from './storage/url-signer.js';
import { migrateToLatest, openDatabase } from './db/database.js';
import { startServer } from './main.js';
import { formatCredentials, seedDemo } from './services/seed.js';
import { UserRepository } from './repositories/users.js';

const USAGE = `Usage: npm run server -- [command]

Commands:
  serve       start the API (default)
  migrate     bring the database schema up to date and exit
  seed-demo   create the demo organizations, users, patients and encounters
  orphans [--delete] [--older-than 7d]
              list stored objects that no document, profile image or unfinished
              upload refers to (only those older than --older-than, default 7d);
              --delete removes them`;

async function withDatabase(
  work: (db: ReturnType<typeof openDatabase>, config: ServerConfig) => Promise<void>,
) {
  const config = loadConfig();
  // One-off commands: no reader threads or background checkpoints.
  const database = openDatabase(
    config.database.dialect === 'sqlite' ? { ...config.database, readThreads: 0 } : config.database,
  );
  try {
    await migrateToLatest(database.db);
    await work(database, config);
  } finally {
    await database.destroy();
  }
}

async function orphans(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      delete: { type: 'boolean', default: false },
      'older-than': { type: 'string', default: '7d' },
    },
  });
  const olderThanMs = parseAge(values['older-than']);
  await withDatabase(async (database, config) => {
    const storage = createStorage(config, {
      baseUrl: () => config.publicUrl ?? `http://${config.host}:${config.port}`,
      signer: new UrlSigner(config.signingSecret),
    });
    const report = await findOrphans(database, storage, {
      olderThanMs,
      remove: values.delete,
      clock: systemClock,
    });
    for (const o of report.orphans) {
      console.log(`${o.lastModified.toISOString()}  ${String(o.size).padStart(12)}  ${o.key}`);
    }
    console.log(
      `${report.orphans.length} orphaned object(s) of ${report.scanned} stored` +
        (values.delete ? `; ${report.deleted} deleted.` : '. Run with --delete to remove them.'),
    );
  });
}

async function main(command = 'serve', rest: string[] = []): Promise<void> {
  switch (command) {
    case 'serve': {
      const server = await startServer(process.env, { seedDemoIfEmpty: false });
      const stop = () => void server.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      console.log(`Medaius API listening on ${server.url}`);
      return;
    }
    case 'migrate':
      return withDatabase(async () => console.log('Database is up to date.'));
    case 'seed-demo':
      return withDatabase(async (database) => {
        if ((await new UserRepository(database.db).countOrganizations()) > 0) {
          throw new Error(
            'The database already has organizations; demo data is only added to an empty database.',
          );
        }
        console.log(
          `Demo data created. Sign in with one of:\n${formatCredentials(await seedDemo(database))}`,
        );
      });
    case 'orphans':
      return orphans(rest);
    case 'help':
    case '--help':
      console.log(USAGE);
      return;
    default:
      throw new Error(`Unknown command "${command}".\n\n${USAGE}`);
  }
}

main(process.argv[2], process.argv.slice(3)).catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `Error: ${(err as Error).message}`);
  process.exit(1);
});
