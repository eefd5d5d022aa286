// The scan dialog's state: the scanners main finds, what the chosen one offers, the settings
// picked, and the scan running now with its pages as the feeder delivers them. Scanning itself
// happens in main (scanimage); the finished scan arrives in the inbox as one item.
import { create } from 'zustand';
import type { ScannedPageEvent } from '../../../../shared/ingest/model.js';
import type { Settings } from '../../../../shared/ipc/settings.js';
import type { MedaiusApi } from '../../../../preload/api.js';
import { messageOf } from '../../lib/errors.js';
import {
  type IngestApi,
  type ScanColour,
  type ScannerCapabilities,
  type ScannerDevice,
  type ScanSource,
} from '../inbox/ingest-api.js';

export const DEFAULT_RESOLUTION = 300;

export interface ScanJob {
  jobId: string;
  state: 'scanning' | 'done' | 'cancelling' | 'cancelled' | 'failed';
  pages: ScannedPageEvent[];
  error: string | null;
  /** the inbox item the scan became */
  itemId: string | null;
  /** pages main says it scanned; at least the pages shown */
  pagesScanned: number;
}

export interface ScanState {
  devices: ScannerDevice[] | null;
  devicesError: string | null;
  deviceId: string | null;
  capabilities: ScannerCapabilities | null;
  capabilitiesError: string | null;
  source: ScanSource | null;
  colour: ScanColour | null;
  resolution: number;
  job: ScanJob | null;

  findScanners(): Promise<void>;
  chooseDevice(deviceId: string): Promise<void>;
  choose(change: Partial<Pick<ScanState, 'source' | 'colour' | 'resolution'>>): void;
  start(): Promise<void>;
  cancel(): Promise<void>;
  reset(): void;
}

export interface ScanDependencies {
  api(): IngestApi & Pick<MedaiusApi, 'getSettings'>;
  newJobId(): string;
}

export function createScanStore(deps: ScanDependencies) {
  /** The scanner defaults from Settings are the first choice, once per window. */
  let defaultsRead = false;
  return create<ScanState>((set, get) => {
    const readDefaults = async () => {
      try {
        const { scanner } = await deps.api().getSettings();
        set({
          deviceId: get().deviceId ?? scanner.device,
          source: get().source ?? sourceOf(scanner.source),
          colour: get().colour ?? COLOUR_OF_MODE[scanner.mode],
          resolution: scanner.resolution,
        });
      } catch {
        // Without the settings the scanner's own first choices are used; nothing is lost.
      }
    };
    return {
      devices: null,
      devicesError: null,
      deviceId: null,
      capabilities: null,
      capabilitiesError: null,
      source: null,
      colour: null,
      resolution: DEFAULT_RESOLUTION,
      job: null,

      async findScanners() {
        set({ devices: null, devicesError: null });
        if (!defaultsRead) {
          defaultsRead = true;
          await readDefaults();
        }
        try {
          const devices = await deps.api().listScanners();
          set({ devices });
          const keep = devices.find((d) => d.id === get().deviceId) ?? devices[0];
          if (keep) await get().chooseDevice(keep.id);
        } catch (error) {
          set({ devices: [], devicesError: `Scanners could not be listed: ${messageOf(error)}` });
        }
      },

      async chooseDevice(deviceId) {
        set({ deviceId, capabilities: null, capabilitiesError: null });
        try {
          const capabilities = await deps.api().getScannerCapabilities({ deviceId });
          if (get().deviceId !== deviceId) return;
          const { source, colour, resolution } = get();
          set({
            capabilities,
            source:
              source && capabilities.sources.includes(source)
                ? source
                : (capabilities.sources[0] ?? null),
            colour:
              colour && capabilities.colours.includes(colour)
                ? colour
                : (capabilities.colours[0] ?? null),
            resolution: nearestResolution(capabilities.resolutions, resolution),
          });
        } catch (error) {
          if (get().deviceId !== deviceId) return;
          set({
            capabilitiesError: `What this scanner can do could not be read: ${messageOf(error)}`,
          });
        }
      },

      choose(change) {
        set(change);
      },

      async start() {
        const { deviceId, source, colour, resolution, job } = get();
        if (!deviceId || !source || !colour || job?.state === 'scanning') return;
        const jobId = deps.newJobId();
        set({
          job: { jobId, state: 'scanning', pages: [], error: null, itemId: null, pagesScanned: 0 },
        });
        const update = (change: Partial<ScanJob>) => {
          const current = get().job;
          if (current?.jobId === jobId) set({ job: { ...current, ...change } });
        };
        const unsubscribe = deps.api().onScanPage((event) => {
          const current = get().job;
          if (event.jobId !== jobId || !current) return;
          const pages = [
            ...current.pages.filter((p) => p.number !== event.page.number),
            event.page,
          ];
          update({
            pages: pages.sort((a, b) => a.number - b.number),
            pagesScanned: Math.max(current.pagesScanned, event.page.number),
          });
        });
        try {
          const result = await deps.api().scan({ jobId, deviceId, source, colour, resolution });
          update({
            state: result.cancelled ? 'cancelled' : 'done',
            itemId: result.item?.id ?? null,
            pagesScanned: Math.max(get().job?.pagesScanned ?? 0, result.pagesScanned),
          });
        } catch (error) {
          const cancelled = get().job?.state === 'cancelling';
          update({
            state: cancelled ? 'cancelled' : 'failed',
            error: cancelled ? null : `The scan failed: ${messageOf(error)}`,
          });
        } finally {
          unsubscribe();
        }
      },

      async cancel() {
        const job = get().job;
        if (job?.state !== 'scanning') return;
        set({ job: { ...job, state: 'cancelling' } });
        try {
          await deps.api().cancelIngest({ jobId: job.jobId });
        } catch (error) {
          const current = get().job;
          if (current?.jobId === job.jobId && current.state === 'cancelling') {
            set({
              job: {
                ...current,
                state: 'scanning',
                error: `The scan could not be cancelled: ${messageOf(error)}`,
              },
            });
          }
        }
      },

      reset() {
        const job = get().job;
        if (job && (job.state === 'scanning' || job.state === 'cancelling')) return;
        set({ job: null });
      },
    };
  });
}

export const useScan = createScanStore({
  api: () => window.api,
  newJobId: () => crypto.randomUUID(),
});

const COLOUR_OF_MODE: Record<Settings['scanner']['mode'], ScanColour> = {
  Color: 'color',
  Gray: 'gray',
  Lineart: 'lineart',
};

/** Settings name the source as the device does ("Automatic Document Feeder", "ADF Duplex"). */
function sourceOf(name: string): ScanSource {
  if (/duplex/i.test(name)) return 'feeder-duplex';
  if (/feeder|adf/i.test(name)) return 'feeder';
  return 'flatbed';
}

/** The offered resolution nearest to the wanted one (scanners offer lists or ranges). */
export function nearestResolution(
  offered: ScannerCapabilities['resolutions'],
  wanted: number,
): number {
  if (Array.isArray(offered)) {
    if (offered.length === 0) return wanted;
    return offered.reduce((best, r) => (Math.abs(r - wanted) < Math.abs(best - wanted) ? r : best));
  }
  return Math.min(offered.max, Math.max(offered.min, wanted));
}
