// How fast, and in how much memory, the upload engine sends a 1 GiB file to S3-compatible
// storage through the real API, against the AWS CLI (`aws s3 cp`) and rclone (`rclone copyto`)
// sending the same file to the same local server in the same run. The engine runs in its own
// process so its peak RSS is its own. Targets: ours ≥ 1.0 × the AWS CLI's MB/s, peak RSS ≤ 250 MB;
// a miss prints MISSED TARGET and the run still exits 0 (timings are not asserted).
//
//   npm run bench:upload            (needs /usr/bin/aws, /usr/bin/rclone and /usr/bin/time)
//
// The server is @20minutes/s3rver, one Node process, which likely bounds every client here.
// The engine's time is given three ways: "sent", until storage accepted the last part;
// "stored", until storage assembled the object (what the peers' times cover, and what the
// target compares); "filed", until the API also checked the object (read back, SHA-256, type)
// and made the document, which the peers do not do.
import { execFile, spawn } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { linkSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BACKENDS, createBackendWorld } from '../support/backends.js';
import type { ChildConfig } from '../support/upload-engine-child.js';

const MiB = 1024 ** 2;
const FILE_BYTES = 1024 * MiB;
const TARGET_VS_AWS = 1.0;
const TARGET_RSS_BYTES = 250 * 1000 ** 2;
const AWS = '/usr/bin/aws';
const RCLONE = '/usr/bin/rclone';
const TIME = '/usr/bin/time';
const CHILD = fileURLToPath(new URL('../support/upload-engine-child.ts', import.meta.url));

const run = promisify(execFile);

interface Result {
  tool: string;
  seconds: number;
  rssBytes: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'medaius-upload-bench-'));
  const world = await createBackendWorld(BACKENDS.find((b) => b.storage === 's3')!);
  const cleanUp = async () => {
    await world.close();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  try {
    const file = path.join(dir, 'scan-video.mp4');
    process.stdout.write(`writing a ${FILE_BYTES / MiB} MiB file… `);
    const sha256 = await writeVideo(file);
    console.log('done.');
    const s3 = world.s3!.config;
    const results: Result[] = [];

    process.stdout.write('aws s3 cp… ');
    results.push(
      await timed(
        'aws s3 cp',
        AWS,
        [
          's3',
          'cp',
          '--only-show-errors',
          file,
          `s3://${s3.bucket}/bench/aws.mp4`,
          '--endpoint-url',
          s3.endpoint!,
        ],
        {
          AWS_ACCESS_KEY_ID: s3.accessKeyId,
          AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
          AWS_DEFAULT_REGION: s3.region,
          // Newer CLIs add CRC checksums that this s3rver does not know; send them only if required.
          AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
          AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        },
      ),
    );
    console.log('done.');

    process.stdout.write('rclone copyto… ');
    results.push(
      await timed(
        'rclone copyto',
        RCLONE,
        ['copyto', '--s3-no-check-bucket', file, `bench:${s3.bucket}/bench/rclone.mp4`],
        {
          RCLONE_CONFIG: '/dev/null',
          RCLONE_CONFIG_BENCH_TYPE: 's3',
          RCLONE_CONFIG_BENCH_PROVIDER: 'Other',
          RCLONE_CONFIG_BENCH_ENDPOINT: s3.endpoint!,
          RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: s3.accessKeyId,
          RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: s3.secretAccessKey,
          RCLONE_CONFIG_BENCH_REGION: s3.region,
          RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
        },
      ),
    );
    console.log('done.');

    process.stdout.write('medaius upload engine… ');
    const ours = await engine(world, dir, file, sha256);
    console.log('done.');
    const rssBytes = ours.maxRssBytes;
    results.unshift(
      { tool: 'medaius engine, sent', seconds: ours.sentMs / 1000, rssBytes },
      { tool: 'medaius engine, stored', seconds: ours.storedMs / 1000, rssBytes },
      { tool: 'medaius engine, filed', seconds: ours.elapsedMs / 1000, rssBytes },
    );
    report(results);
  } finally {
    await cleanUp();
  }
}

/** An MP4 header (ftyp, then one mdat box) followed by random bytes; returns its SHA-256. */
async function writeVideo(file: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(file, 'w');
  try {
    const head = Buffer.alloc(32);
    head.writeUInt32BE(16, 0);
    head.write('ftypisom', 4, 'latin1');
    head.writeUInt32BE(0x200, 12);
    head.writeUInt32BE(1, 16); // size 1: a 64-bit size follows
    head.write('mdat', 20, 'latin1');
    head.writeBigUInt64BE(BigInt(FILE_BYTES - 16), 24);
    const block = Buffer.alloc(8 * MiB);
    for (let offset = 0; offset < FILE_BYTES; offset += block.length) {
      randomFillSync(block);
      if (offset === 0) head.copy(block);
      hash.update(block);
      await handle.write(block);
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

/** Runs a peer tool under /usr/bin/time for its wall time and peak RSS. */
async function timed(
  tool: string,
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<Result> {
  const base = { ...process.env };
  // The machine's AWS_CA_BUNDLE is for HTTPS proxies elsewhere; rclone fails on it, and the
  // endpoint here is plain http, so neither tool gets it (nor any other AWS_/RCLONE_ setting).
  delete base.AWS_CA_BUNDLE;
  for (const key of Object.keys(base))
    if (key.startsWith('AWS_') || key.startsWith('RCLONE_')) delete base[key];
  const { stderr } = await run(TIME, ['-f', 'BENCH %e %M', command, ...args], {
    env: { ...base, ...env },
    maxBuffer: 16 * MiB,
  });
  const match = /BENCH ([\d.]+) (\d+)/.exec(stderr);
  if (!match) throw new Error(`${tool} printed no timing: ${stderr}`);
  return { tool, seconds: Number(match[1]), rssBytes: Number(match[2]) * 1024 };
}

/** The engine in a child process, filing the file through the API; returns what it reports. */
async function engine(
  world: Awaited<ReturnType<typeof createBackendWorld>>,
  dir: string,
  file: string,
  sha256: string,
) {
  const token = await world.login(world.a.users.clinician.email);
  // The engine releases (deletes) its staged copy when done: give it a link, not the file.
  const staged = path.join(dir, 'staged.mp4');
  linkSync(file, staged);
  const config: ChildConfig = {
    baseUrl: world.url(),
    token,
    queueDir: path.join(dir, 'queue'),
    marker: path.join(dir, 'queued'),
    batchId: undefined,
    items: [
      {
        fileName: 'scan-video.mp4',
        contentType: 'video/mp4',
        size: FILE_BYTES,
        sha256,
        stagedPath: staged,
        patientId: world.a.patients[0]!,
        category: 'imaging',
        title: 'Bench video',
      },
    ],
  };
  const configFile = path.join(dir, 'engine.json');
  writeFileSync(configFile, JSON.stringify(config));
  // When storage finished assembling the parts, seen from the server (same machine, same clock).
  let storedAt = 0;
  const storage = world.storage;
  const assemble = storage.completeMultipartUpload.bind(storage);
  storage.completeMultipartUpload = async (...args) => {
    await assemble(...args);
    storedAt = Date.now();
  };
  let startedAt = 0;
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, configFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (!startedAt && output.includes('started\n')) startedAt = Date.now();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const last = output.trim().split('\n').at(-1) ?? '';
  if (code !== 0) throw new Error(`the engine failed (exit ${code}): ${output}`);
  const reported = JSON.parse(last) as { maxRssBytes: number; sentMs: number; elapsedMs: number };
  return { ...reported, storedMs: storedAt - startedAt };
}

function report(results: Result[]): void {
  const mbps = (r: Result) => FILE_BYTES / 1e6 / r.seconds;
  console.log(`\n1 GiB to @20minutes/s3rver on loopback, ${new Date().toISOString()}`);
  console.log('\ntool                       seconds     MB/s   peak RSS MB');
  for (const r of results) {
    console.log(
      `${r.tool.padEnd(24)} ${r.seconds.toFixed(2).padStart(9)} ${mbps(r).toFixed(1).padStart(8)} ${(r.rssBytes / 1e6).toFixed(0).padStart(13)}`,
    );
  }
  const [sent, stored, filed, aws, rclone] = results as [Result, Result, Result, Result, Result];
  const ratio = (a: Result, b: Result) => (mbps(a) / mbps(b)).toFixed(2);
  for (const [name, peer] of [
    ['aws   ', aws],
    ['rclone', rclone],
  ] as const) {
    console.log(
      `ours/${name}  sent ${ratio(sent, peer)}   stored ${ratio(stored, peer)}   filed ${ratio(filed, peer)}`,
    );
  }
  const vsAws = mbps(stored) / mbps(aws);
  console.log(
    `target ours ≥ ${TARGET_VS_AWS} × aws (stored): ${vsAws.toFixed(2)} — ${vsAws >= TARGET_VS_AWS ? 'met' : 'MISSED TARGET'}`,
  );
  console.log(
    `target peak RSS ≤ ${TARGET_RSS_BYTES / 1e6} MB: ${(sent.rssBytes / 1e6).toFixed(0)} MB — ${sent.rssBytes <= TARGET_RSS_BYTES ? 'met' : 'MISSED TARGET'}`,
  );
}

await main();
