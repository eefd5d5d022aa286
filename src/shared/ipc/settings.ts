// The desktop client's settings: their schema, limits and defaults. Main validates every change
// with these schemas before it is stored, and the renderer's settings screen is typed from them.
// Pure zod: no node:path, so the path checks below accept POSIX and Windows forms by shape.
import { z } from 'zod';

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:4000';
export const UPLOAD_CONCURRENCY = { min: 1, max: 16, default: 4 } as const;
export const CACHE_SIZE_MB = { min: 100, max: 1_000_000, default: 2048 } as const;
export const SCAN_RESOLUTION_DPI = { min: 50, max: 1200, default: 300 } as const;
export const MAX_HOT_FOLDERS = 32;
/** The SANE standard scan modes (SANE_VALUE_SCAN_MODE_*). */
export const SCAN_MODES = ['Color', 'Gray', 'Lineart'] as const;

/** An http(s) URL, stored without a trailing slash so API paths can be appended to it. */
export const ServerUrl = z
  .string()
  .trim()
  .refine(isHttpUrl, {
    message:
      'Enter the server address as an http:// or https:// URL, such as ' + DEFAULT_SERVER_URL,
  })
  .transform((url) => url.replace(/\/+$/, ''));

const AbsolutePath = z
  .string()
  .trim()
  .min(1, { message: 'Choose a folder' })
  .max(4096)
  .refine(isAbsolutePath, { message: 'Use a full folder path, such as /home/scans or C:\\Scans' });

/** One folder name inside the hot folder, not a path: processed files must stay inside it. */
const FolderName = z
  .string()
  .trim()
  .min(1, { message: 'Name the folder processed files are moved to' })
  .max(255)
  .refine((name) => !/[/\\]/.test(name) && name !== '.' && name !== '..', {
    message: 'Use a single folder name, without slashes or "..", such as processed',
  });

export const HotFolder = z.strictObject({
  path: AbsolutePath,
  processedSubfolder: FolderName.default('processed'),
});
export type HotFolder = z.infer<typeof HotFolder>;

export const HotFolders = z
  .array(HotFolder)
  .max(MAX_HOT_FOLDERS, { message: `Watch at most ${MAX_HOT_FOLDERS} hot folders` })
  .refine((folders) => new Set(folders.map((f) => f.path)).size === folders.length, {
    message: 'Each hot folder may be listed only once',
  });

export const ScannerDefaults = z.strictObject({
  /** SANE device name, e.g. `test:0`; null means use the first scanner found. */
  device: z.string().trim().min(1).max(256).nullable(),
  /** Device-specific source name, e.g. `Flatbed` or `Automatic Document Feeder`. */
  source: z.string().trim().min(1).max(64),
  mode: z.enum(SCAN_MODES),
  resolution: z
    .number()
    .int()
    .min(SCAN_RESOLUTION_DPI.min, {
      message: `Scan at ${SCAN_RESOLUTION_DPI.min} dpi or more`,
    })
    .max(SCAN_RESOLUTION_DPI.max, {
      message: `Scan at ${SCAN_RESOLUTION_DPI.max} dpi or less`,
    }),
});
export type ScannerDefaults = z.infer<typeof ScannerDefaults>;

export const UploadConcurrency = z
  .number()
  .int()
  .min(UPLOAD_CONCURRENCY.min, {
    message: `Upload at least ${UPLOAD_CONCURRENCY.min} file at once`,
  })
  .max(UPLOAD_CONCURRENCY.max, {
    message: `Upload at most ${UPLOAD_CONCURRENCY.max} files at once`,
  });

export const CacheSizeMb = z
  .number()
  .int()
  .min(CACHE_SIZE_MB.min, { message: `Keep at least ${CACHE_SIZE_MB.min} MB for the cache` })
  .max(CACHE_SIZE_MB.max, { message: `Keep at most ${CACHE_SIZE_MB.max} MB for the cache` });

/** Each setting's schema, by the key it is stored under. */
export const SETTING_SCHEMAS = {
  serverUrl: ServerUrl,
  hotFolders: HotFolders,
  scanner: ScannerDefaults,
  uploadConcurrency: UploadConcurrency,
  cacheSizeMb: CacheSizeMb,
} as const;

export type SettingKey = keyof typeof SETTING_SCHEMAS;
export const SETTING_KEYS = Object.keys(SETTING_SCHEMAS) as SettingKey[];

export const Settings = z.strictObject(SETTING_SCHEMAS);
export type Settings = z.infer<typeof Settings>;

/** A change to some settings; each key present replaces that setting as a whole. */
export const SettingsPatch = Settings.partial().refine((patch) => Object.keys(patch).length > 0, {
  message: 'Nothing to change',
});
export type SettingsPatch = z.input<typeof SettingsPatch>;

export const DEFAULT_SETTINGS: Settings = {
  serverUrl: DEFAULT_SERVER_URL,
  hotFolders: [],
  scanner: {
    device: null,
    source: 'Flatbed',
    mode: 'Color',
    resolution: SCAN_RESOLUTION_DPI.default,
  },
  uploadConcurrency: UPLOAD_CONCURRENCY.default,
  cacheSizeMb: CACHE_SIZE_MB.default,
};

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    const web = url.protocol === 'http:' || url.protocol === 'https:';
    // Credentials, queries and fragments would be sent, or dropped, with every API call.
    return web && url.hostname !== '' && !url.username && !url.password && !url.search && !url.hash;
  } catch {
    return false;
  }
}

function isAbsolutePath(value: string): boolean {
  return /^\//.test(value) || /^[A-Za-z]:[\\/]/.test(value) || /^\\\\[^\\]+\\[^\\]+/.test(value);
}
