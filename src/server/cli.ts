// `npm run server -- [serve|migrate|seed-demo]`: the companion API's command line.
import { ConfigError, loadConfig } from './config.js';
import { migrateToLatest, openDatabase } from './db/database.js';
import { startServer } from './main.js';
import { formatCredentials, seedDemo } from './services/seed.js';
import { UserRepository } from './repositories/users.js';

const USAGE = `Usage: npm run server -- [command]

Commands:
  serve       start the API (default)
  migrate     bring the database schema up to date and exit
  seed-demo   create the demo organizations, users, patients and encounters`;

async function withDatabase(work: (db: ReturnType<typeof openDatabase>) => Promise<void>) {
  const database = openDatabase(loadConfig().database);
  try {
    await migrateToLatest(database.db);
    await work(database);
  } finally {
    await database.destroy();
  }
}

async function main(command = 'serve'): Promise<void> {
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
    case 'help':
    case '--help':
      console.log(USAGE);
      return;
    default:
      throw new Error(`Unknown command "${command}".\n\n${USAGE}`);
  }
}

main(process.argv[2]).catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `Error: ${(err as Error).message}`);
  process.exit(1);
});
