// Drives one scenario against a running server with autocannon: a fixed number of connections
// for a fixed time, every request for a freshly drawn patient (and category, and window).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import autocannon from 'autocannon';
import { Random, type Dataset } from './dataset.js';
import { pathOf, type Scenario } from './scenarios.js';

export interface LoadOptions {
  url: string;
  token: string;
  connections: number;
  seconds: number;
  /** the server's CPU time so far, in ms, to report what a request costs it */
  serverCpuMs: () => Promise<number>;
}

export interface LoadResult {
  scenario: string;
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: string;
  /** documents per response, from a sample taken before the load */
  rowsPerResponse: number;
  /**
   * Server CPU time per request, in ms. It depends far less than latency on what else runs
   * on the machine, and 1000 / it is the most one server process can answer per second.
   */
  serverCpuPerRequest: number;
  /**
   * Share of the machine's CPU capacity used during the run by processes other than the
   * server and this load generator (on PostgreSQL that includes the database server), or
   * null where /proc/stat does not exist. Anything there competes with the server.
   */
  otherCpuShare: number | null;
}

/** CPU time every process of the machine has used, in ms (Linux /proc/stat), else null. */
function machineCpuMs(): number | null {
  let line: string;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  } catch {
    return null;
  }
  // cpu user nice system idle iowait irq softirq steal …, in USER_HZ (100 per second)
  const [user, nice, system, , , irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) * 10;
}

function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export async function runLoad(
  scenario: Scenario,
  dataset: Dataset,
  o: LoadOptions,
  seed: number,
): Promise<LoadResult> {
  const rowsPerResponse = await sampleRows(scenario, dataset, o, seed);
  const rng = new Random(seed);
  const serverBefore = await o.serverCpuMs();
  const machineBefore = machineCpuMs();
  const ownBefore = ownCpuMs();
  const started = performance.now();
  const result = await autocannon({
    url: o.url,
    connections: o.connections,
    duration: o.seconds,
    headers: { authorization: `Bearer ${o.token}` },
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, path: pathOf(scenario.draw(rng, dataset)) }),
      },
    ],
  });
  const wallMs = performance.now() - started;
  const machine = machineCpuMs();
  const own = ownCpuMs() - ownBefore;
  const server = (await o.serverCpuMs()) - serverBefore;
  const others =
    machine === null || machineBefore === null ? null : machine - machineBefore - own - server;
  return {
    scenario: scenario.name,
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.entries(result.statusCodeStats)
      .map(([code, { count }]) => `${code}×${count}`)
      .join(' '),
    rowsPerResponse,
    serverCpuPerRequest: server / Math.max(1, result.requests.total),
    otherCpuShare: others === null ? null : Math.max(0, others) / (wallMs * availableParallelism()),
  };
}

/**
 * Mean documents per response over a few sequential requests, so the table shows what each
 * request returned (a scenario answering empty pages would measure nothing). Any answer other
 * than 200 stops the benchmark here, before the load, with the server's problem document.
 */
async function sampleRows(
  scenario: Scenario,
  dataset: Dataset,
  o: LoadOptions,
  seed: number,
): Promise<number> {
  const rng = new Random(seed ^ 0x5a5a5a5a);
  const samples = 40;
  let rows = 0;
  for (let i = 0; i < samples; i++) {
    const path = pathOf(scenario.draw(rng, dataset));
    const res = await fetch(o.url + path, { headers: { authorization: `Bearer ${o.token}` } });
    if (res.status !== 200) {
      throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
    }
    rows += ((await res.json()) as { items: unknown[] }).items.length;
  }
  return rows / samples;
}
