// Starts the companion API: configuration, database, migrations, optional demo seed, listen,
// and the hourly end of expired uploads.
import type { FastifyBaseLogger } from 'fastify';
import { loadConfig } from './config.js';
import { composeServer } from './compose.js';
import { migrateToLatest, openDatabase } from './db/database.js';
import { systemClock } from './clock.js';
import { formatCredentials, seedDemo } from './services/seed.js';
import type { UploadService } from './services/uploads.js';
import { UserRepository } from './repositories/users.js';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

const CLEANUP_INTERVAL_MS = 3600_000;

export async function startServer(
  env: NodeJS.ProcessEnv = process.env,
  options: { seedDemoIfEmpty?: boolean } = { seedDemoIfEmpty: true },
): Promise<RunningServer> {
  const config = loadConfig(env);
  const database = openDatabase(config.database);
  try {
    await migrateToLatest(database.db);
    if (
      options.seedDemoIfEmpty &&
      (await new UserRepository(database.db).countOrganizations()) === 0
    ) {
      const credentials = await seedDemo(database);
      console.log(
        `First run: demo data created. Sign in with one of:\n${formatCredentials(credentials)}`,
      );
    }
    const { app, services, setBaseUrl } = await composeServer(config, database, {
      clock: systemClock,
    });
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host}:${port}`;
    setBaseUrl(url);
    const cleanup = startUploadCleanup(services.uploads, app.log);
    return {
      url,
      close: async () => {
        clearInterval(cleanup);
        await app.close();
        await database.destroy();
      },
    };
  } catch (err) {
    await database.destroy();
    throw err;
  }
}

/** Ends uploads left unfinished for seven days, now and every hour. */
function startUploadCleanup(uploads: UploadService, log: FastifyBaseLogger): NodeJS.Timeout {
  const run = () =>
    uploads
      .expireStale()
      .then((n) => n > 0 && log.info(`ended ${n} expired upload(s)`))
      .catch((err: unknown) => log.error({ err }, 'expired-upload cleanup failed'));
  void run();
  return setInterval(run, CLEANUP_INTERVAL_MS).unref();
}
