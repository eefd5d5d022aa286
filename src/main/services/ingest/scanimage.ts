// SANE scanners through the `scanimage` command line tool: which scanners there are, what each
// offers (sources, modes, resolutions), and a batch scan that reports every page the moment
// scanimage has finished writing it. scanimage writes page N to "<name>.part" and renames it
// when the page is complete, then prints its name (--batch-print); only printed pages are
// complete, so a cancelled scan never yields a half-written page.
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { ScannerDevice } from '../../../shared/ingest/scanner.js';
import { IngestError } from './errors.js';

const run = promisify(execFile);

export interface ScanimageTool {
  /** the scanimage executable */
  command: string;
  /** its environment (SANE_CONFIG_DIR chooses which backends are asked) */
  env?: NodeJS.ProcessEnv;
}

export type { ScannerDevice } from '../../../shared/ingest/scanner.js';

/** One option of a device, as `scanimage -A` describes it. */
export interface DeviceOption {
  /** the values it accepts: a list, or a numeric range */
  values: string[] | { min: number; max: number };
  current: string;
  active: boolean;
}

/** How long a device may take to answer a listing or an options query. */
const QUERY_TIMEOUT_MS = 60_000;
/** After this, a scanimage that ignores SIGTERM is killed outright. */
const KILL_GRACE_MS = 3000;
const FIELD = '\t';

/** The scanners SANE can reach. Network backends make this take a few seconds. */
export async function listScanners(
  tool: ScanimageTool,
  signal?: AbortSignal,
): Promise<ScannerDevice[]> {
  const { stdout } = await query(tool, ['-f', `%d${FIELD}%v${FIELD}%m${FIELD}%t%n`], signal);
  return stdout
    .split('\n')
    .filter((line) => line.includes(FIELD))
    .map((line) => {
      const [id = '', vendor = '', model = '', type = ''] = line.split(FIELD);
      return { id, vendor, model, type };
    });
}

/** The device's options by name ("source", "mode", "resolution", …). */
export async function deviceOptions(
  tool: ScanimageTool,
  deviceId: string,
  signal?: AbortSignal,
): Promise<Map<string, DeviceOption>> {
  const { stdout } = await query(tool, ['-d', deviceId, '-A'], signal);
  return parseDeviceOptions(stdout);
}

const OPTION_LINE = /^\s+--([a-z0-9][a-z0-9-]*) (.+?) \[([^\]]*)\]\s*$/;
const RANGE = /^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)/;

/** Reads `scanimage -A` output: "    --mode Lineart|Gray|Color [Gray]". */
export function parseDeviceOptions(text: string): Map<string, DeviceOption> {
  const options = new Map<string, DeviceOption>();
  for (const line of text.split('\n')) {
    const match = OPTION_LINE.exec(line);
    if (match === null) continue;
    const [, name, spec, current] = match as unknown as [string, string, string, string];
    if (spec.startsWith('[')) continue;
    const range = RANGE.exec(spec);
    const values = range
      ? { min: Number(range[1]), max: Number(range[2]) }
      : withoutUnit(spec.split('|'));
    options.set(name, { values, current, active: current !== 'inactive' });
  }
  return options;
}

/** "75|150|300dpi" puts the unit on the last value only. */
function withoutUnit(values: string[]): string[] {
  const last = values.at(-1) ?? '';
  const unit = /^-?\d+(?:\.\d+)?(dpi|mm|bit|%|pel|us)$/.exec(last);
  if (unit === null) return values;
  return [...values.slice(0, -1), last.slice(0, -unit[1]!.length)];
}

async function query(
  tool: ScanimageTool,
  args: string[],
  signal?: AbortSignal,
): Promise<{ stdout: string }> {
  try {
    return await run(tool.command, args, {
      env: tool.env,
      timeout: QUERY_TIMEOUT_MS,
      signal,
      maxBuffer: 4 * 1024 * 1024,
    });
  } catch (error) {
    signal?.throwIfAborted();
    throw new IngestError('scanner_failed', scanimageFailure(tool, error), { cause: error });
  }
}

function scanimageFailure(tool: ScanimageTool, error: unknown): string {
  const failure = error as NodeJS.ErrnoException & { stderr?: string; killed?: boolean };
  if (failure.code === 'ENOENT') {
    return `The scanner program (${tool.command}) is not installed. Install SANE's scanimage (Debian/Ubuntu: apt-get install sane-utils) and try again.`;
  }
  if (failure.killed === true) {
    return 'The scanner did not answer within a minute. Check that it is switched on and connected, then try again.';
  }
  return `The scanner reported: ${lastLine(failure.stderr ?? failure.message)}`;
}

/** scanimage's most telling line: its last non-empty line of error output. */
export function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.replace(/^scanimage: /, '').trim())
    .filter((line) => line !== '');
  return lines.at(-1) ?? 'no reason given';
}

export interface BatchResult {
  /** complete page files in scanning order */
  pages: string[];
  /** why scanimage stopped, when it failed or was stopped */
  failure?: string;
  /** the feeder had no paper (or ran out before the first page) */
  feederEmpty: boolean;
}

/**
 * Runs `scanimage <args> --batch=<pattern> --batch-print` and calls onPage with each complete
 * page's path as it is printed. Cancelling the signal stops scanimage; pages completed before
 * that are still returned. The caller checks the signal before calling.
 */
export function runBatch(
  tool: ScanimageTool,
  args: readonly string[],
  pattern: string,
  onPage: (path: string) => void,
  signal: AbortSignal,
): Promise<BatchResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool.command, [...args, `--batch=${pattern}`, '--batch-print'], {
      env: tool.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pages: string[] = [];
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-8192);
    });
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const page = line.trim();
      if (page === '') return;
      pages.push(page);
      onPage(page);
    });
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    signal.addEventListener('abort', stop, { once: true });
    child.on('error', (error: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', stop);
      reject(new IngestError('scanner_failed', scanimageFailure(tool, error), { cause: error }));
    });
    // 'close', not 'exit': stdout must be fully read, or the last page's name could be missed.
    child.on('close', (code) => {
      signal.removeEventListener('abort', stop);
      clearTimeout(killTimer);
      const feederEmpty = /out of documents|no docs|feeder (is )?empty/i.test(stderr);
      if (signal.aborted) {
        resolve({ pages, failure: 'Scanning was cancelled.', feederEmpty });
      } else if (code === 0 || (feederEmpty && pages.length > 0)) {
        resolve({ pages, feederEmpty });
      } else {
        resolve({ pages, failure: lastLine(stderr), feederEmpty });
      }
    });
  });
}
