// Starts the companion API: configuration, database, migrations, optional demo seed, listen.
import { loadConfig } from './config.js';
import { buildApp } from './app.js';
import { migrateToLatest, openDatabase } from './db/database.js';
import { systemClock } from './clock.js';
import { createServices } from './services/index.js';
import { formatCredentials, seedDemo } from './services/seed.js';
import { UserRepository } from './repositories/users.js';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

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
    const services = createServices(database, {
      signingSecret: config.signingSecret,
      sessionTtlMs: config.sessionTtlMs,
      clock: systemClock,
    });
    const app = await buildApp({
      database,
      services,
      logLevel: config.logLevel,
      trustProxy: config.trustProxy,
    });
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return {
      url: `http://${host}:${port}`,
      close: async () => {
        await app.close();
        await database.destroy();
      },
    };
  } catch (err) {
    await database.destroy();
    throw err;
  }
}
