// `npm run server` as a user runs it: a real process on a real port.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const children: ChildProcess[] = [];
afterEach(() => children.splice(0).forEach((c) => c.kill('SIGKILL')));

function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const waitFor = (re: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const m = re.exec(output);
        if (m) resolve(m);
      };
      child.stdout.on('data', check);
      child.on('exit', () => reject(new Error(`exited before ${re}: ${output}`)));
    });
  return { child, exited, waitFor, output: () => output };
}

describe('npm run server', () => {
  it('migrates, seeds demo data on request, and serves /healthz', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'medaius-cli-'));
    const seed = run(['seed-demo'], { DATA_DIR: dataDir });
    expect(await seed.exited).toBe(0);
    expect(seed.output()).toContain('admin@riverside.test');

    const server = run([], { DATA_DIR: dataDir, PORT: '0' });
    const [, url] = await server.waitFor(/listening on (http:\/\/\S+)/);
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'sqlite' });
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'clinician@riverside.test', password: 'medaius-demo' }),
    });
    expect(login.status).toBe(200);
  });

  it('refuses to start on invalid configuration and says which setting is wrong', async () => {
    const bad = run([], {
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'medaius-cli-')),
      PORT: 'eighty',
    });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toMatch(/Invalid server configuration:\n\s+PORT:/);
  });
});
