// The acceptance test for the durable queue: an engine process filing a 50-file batch is killed
// with SIGKILL at random moments, again and again, and started anew on the same queue. In the
// end every file is on the server exactly once, byte-identical, and staging is empty.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, createBackendWorld } from '../../support/backends.js';
import { bigTiff, jpeg, pdf, sha256 } from '../../support/files.js';
import { seededRandom } from '../../support/tcp-proxy.js';
import type { ChildConfig } from '../../support/upload-engine-child.js';
import type { World } from '../../support/world.js';
import { documentsOf, downloadedSha256, MiB, stage, tempDir } from './upload-harness.js';

const CHILD = fileURLToPath(new URL('../../support/upload-engine-child.ts', import.meta.url));

interface Plan {
  backend: (typeof BACKENDS)[number];
  small: number;
  /** sides of the uncompressed TIFFs, for files of 9–17 MiB (2–3 parts) */
  tiffs: number[];
  kills: number;
}

const PLANS: Plan[] = [
  {
    backend: BACKENDS.find((b) => b.storage === 'local' && b.dialect === 'sqlite')!,
    small: 45,
    tiffs: [1780, 1950, 2100, 2250, 2440],
    kills: 20,
  },
  {
    backend: BACKENDS.find((b) => b.storage === 's3')!,
    small: 8,
    tiffs: [1780],
    kills: 6,
  },
];

describe.each(PLANS)('a killed engine ($backend.name)', (plan) => {
  let w: World;
  let token: string;
  let work: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    w = await createBackendWorld(plan.backend);
    token = await w.login(w.b.users.clinician.email);
    work = tempDir('medaius-crash-');
  });
  afterAll(async () => {
    await w?.close();
    work?.remove();
  });

  it(`files every document once after ${plan.kills} kills`, async () => {
    const random = seededRandom(plan.kills);
    const patientId = w.b.patients[1]!;
    const staging = path.join(work.dir, 'staging');
    mkdirSync(staging);
    const files: { bytes: Buffer; fileName: string; contentType: string }[] = [];
    for (let i = 0; i < plan.small; i++) {
      files.push(
        i % 3 === 2
          ? {
              bytes: await pdf(1 + (i % 4), `Lab result ${i}`),
              fileName: `lab-${i}.pdf`,
              contentType: 'application/pdf',
            }
          : {
              bytes: await jpeg(300 + Math.floor(random() * 700), 300 + Math.floor(random() * 500)),
              fileName: `photo-${i}.jpg`,
              contentType: 'image/jpeg',
            },
      );
    }
    for (const [i, side] of plan.tiffs.entries()) {
      files.push({
        bytes: await bigTiff(side, side),
        fileName: `film-${i}.tiff`,
        contentType: 'image/tiff',
      });
    }
    expect(files.filter((f) => f.bytes.length > 8 * MiB)).toHaveLength(plan.tiffs.length);
    const items = [];
    for (const f of files) items.push(await stage(staging, f.bytes, { ...f, patientId }));

    const config: ChildConfig = {
      baseUrl: w.url(),
      token,
      queueDir: path.join(work.dir, 'queue'),
      marker: path.join(work.dir, 'queued'),
      items,
      batchId: randomUUID(),
      engine: { retryDelayMs: 100, maxRetryDelayMs: 1_000 },
    };
    const configFile = path.join(work.dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(config));

    let kills = 0;
    let finishedEarly = 0;
    while (kills < plan.kills) {
      const child = startChild(configFile);
      // Mostly after a few of its progress events, so each run gets somewhere but none gets
      // to the end whatever the machine's speed; now and then while it is still starting.
      const early = random() < 0.2;
      const moment = early
        ? new Promise((r) => setTimeout(r, random() * 300))
        : child.afterEvents(1 + Math.floor(random() * 4));
      const outcome = await Promise.race([
        child.exited.then(() => 'exited' as const),
        moment.then(() => 'kill' as const),
      ]);
      if (outcome === 'exited') {
        finishedEarly++;
        break;
      }
      child.process.kill('SIGKILL');
      await child.exited;
      kills++;
    }
    const last = startChild(configFile);
    const code = await last.exited;
    expect(code, last.output()).toBe(0);
    expect(JSON.parse(last.output().trim().split('\n').at(-1)!)).toMatchObject({
      done: expect.any(Number),
      failed: 0,
    });
    expect(finishedEarly).toBe(0);
    expect(kills).toBe(plan.kills);

    const docs = await documentsOf(w, token, patientId);
    expect(docs.map((d) => d.fileName).sort()).toEqual(files.map((f) => f.fileName).sort());
    expect(new Set(docs.map((d) => d.id)).size).toBe(files.length);
    for (const f of files) {
      const doc = docs.find((d) => d.fileName === f.fileName)!;
      expect(doc.sha256, f.fileName).toBe(sha256(f.bytes));
      expect(await downloadedSha256(w, token, doc.id), f.fileName).toBe(sha256(f.bytes));
    }
    expect(readdirSync(staging)).toEqual([]);
  }, 240_000);
});

function startChild(configFile: string) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let events = 0;
  const waiting: { count: number; resolve: () => void }[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    events += text.split('event\n').length - 1;
    for (const w of waiting.filter((w) => events >= w.count)) w.resolve();
  });
  /** Resolves once the child has printed `count` queue events. */
  const afterEvents = (count: number) =>
    new Promise<void>((resolve) => waiting.push({ count, resolve }));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { process: child, afterEvents, exited, output: () => output };
}
