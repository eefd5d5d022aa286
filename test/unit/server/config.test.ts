import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/server/config.js';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'medaius-config-'));

describe('server configuration', () => {
  it('defaults to SQLite in DATA_DIR on 127.0.0.1:4000 with local storage', () => {
    const dir = tempDir();
    const config = loadConfig({ DATA_DIR: dir });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 4000,
      storageType: 'local',
      database: { dialect: 'sqlite', file: path.join(dir, 'medaius.sqlite') },
    });
  });

  it('generates the signing secret once, keeps it private, and reuses it', () => {
    const dir = tempDir();
    const first = loadConfig({ DATA_DIR: dir }).signingSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({ DATA_DIR: dir }).signingSecret).toBe(first);
    const file = path.join(dir, 'signing-secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(loadConfig({ DATA_DIR: dir, SIGNING_SECRET: 'x'.repeat(40) }).signingSecret).toBe(
      'x'.repeat(40),
    );
  });

  it('selects PostgreSQL from a postgres:// DATABASE_URL', () => {
    const config = loadConfig({
      DATA_DIR: tempDir(),
      DATABASE_URL: 'postgres://u@db:5432/medaius',
    });
    expect(config.database).toEqual({
      dialect: 'postgres',
      connectionString: 'postgres://u@db:5432/medaius',
    });
  });

  it('gives SQLite one reader thread per core beyond the first, up to 4, or SQLITE_READ_THREADS', () => {
    const dir = tempDir();
    const file = path.join(dir, 'medaius.sqlite');
    expect(loadConfig({ DATA_DIR: dir }).database).toEqual({
      dialect: 'sqlite',
      file,
      readThreads: Math.min(4, availableParallelism() - 1),
    });
    expect(loadConfig({ DATA_DIR: dir, SQLITE_READ_THREADS: '0' }).database).toEqual({
      dialect: 'sqlite',
      file,
      readThreads: 0,
    });
  });

  it.each([
    [{ SQLITE_READ_THREADS: '-1' }, 'SQLITE_READ_THREADS'],
    [{ SQLITE_READ_THREADS: 'many' }, 'SQLITE_READ_THREADS'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ STORAGE_TYPE: 'ftp' }, 'STORAGE_TYPE'],
    [{ SIGNING_SECRET: 'short' }, 'SIGNING_SECRET'],
    [{ DATABASE_URL: 'mysql://db/x' }, 'DATABASE_URL'],
  ])('stops with a message naming the variable for %o', (env, name) => {
    expect(() => loadConfig({ DATA_DIR: tempDir(), ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: tempDir(), ...env })).toThrow(new RegExp(`${name}:`));
  });
});
