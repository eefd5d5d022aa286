// The desktop client's settings: read from a key-value store (electron-store in the app, the
// `conf` package it is built on under plain Node), every change validated against the schemas in
// src/shared/ipc/settings.ts before it is stored, and every change announced to subscribers
// (the renderer, the upload queue, the hot-folder watcher).
import { isDeepStrictEqual } from 'node:util';
import {
  DEFAULT_SETTINGS,
  SETTING_KEYS,
  SETTING_SCHEMAS,
  SettingsPatch,
  type SettingKey,
  type Settings,
} from '../../../shared/ipc/settings.js';
import { Listeners } from '../../listeners.js';
import { describeIssues } from '../../../shared/ipc/issues.js';

/** The store's file name, without `.json`, in the app's data folder. */
export const SETTINGS_FILE_NAME = 'settings';

/** What the service needs of electron-store / conf: one value per setting, several set at once. */
export interface SettingsStore {
  get(key: string): unknown;
  set(values: Record<string, unknown>): void;
}

/** A change that was refused; nothing was stored. */
export class SettingsError extends Error {
  override name = 'SettingsError';
  readonly code = 'invalid_settings';
}

/**
 * Opens the store (electron-store or conf), turning a damaged settings file, which they refuse
 * to read, into a message that names the file and what to do about it.
 */
export function openSettingsStore<T extends SettingsStore>(open: () => T, file: string): T {
  try {
    return open();
  } catch (error) {
    throw new SettingsError(
      `The settings file ${file} could not be read (${(error as Error).message}). Repair or delete it; the app then starts with its default settings.`,
    );
  }
}

export interface SettingsServiceOptions {
  store: SettingsStore;
  /** Defaults that differ from DEFAULT_SETTINGS here, e.g. the server that `npm start` runs. */
  defaults?: Partial<Settings>;
  /** Told about saved values that no longer pass validation and were replaced by defaults. */
  warn?: (message: string) => void;
}

export class SettingsService {
  private readonly store: SettingsStore;
  private readonly defaults: Settings;
  private readonly listeners = new Listeners<Settings>();
  private current: Settings;

  constructor(options: SettingsServiceOptions) {
    this.store = options.store;
    this.defaults = { ...DEFAULT_SETTINGS, ...options.defaults };
    this.current = this.load(options.warn ?? ((message) => console.warn(message)));
  }

  /** The current settings; a copy, so changing it changes nothing. */
  get(): Settings {
    return structuredClone(this.current);
  }

  /**
   * Validates and stores a change to some settings, then tells subscribers if anything changed.
   * An invalid change is refused as a whole with a SettingsError naming each problem.
   */
  update(patch: SettingsPatch): Settings {
    const parsed = SettingsPatch.safeParse(patch);
    if (!parsed.success) {
      throw new SettingsError(`Settings were not changed: ${describeIssues(parsed.error.issues)}.`);
    }
    const next: Settings = { ...this.current, ...parsed.data };
    const changed = SETTING_KEYS.filter((key) => !isDeepStrictEqual(next[key], this.current[key]));
    if (changed.length === 0) return this.get();
    this.store.set(Object.fromEntries(changed.map((key) => [key, next[key]])));
    this.current = next;
    this.listeners.emit(this.get());
    return this.get();
  }

  /** Calls `listener` with the new settings after every change; returns the unsubscribe. */
  subscribe(listener: (settings: Settings) => void): () => void {
    return this.listeners.add(listener);
  }

  private load(warn: (message: string) => void): Settings {
    const settings = structuredClone(this.defaults);
    for (const key of SETTING_KEYS) {
      const saved = this.store.get(key);
      if (saved === undefined) continue;
      const parsed = SETTING_SCHEMAS[key].safeParse(saved);
      if (parsed.success) {
        assign(settings, key, parsed.data);
      } else {
        // The file was edited by hand or written by another version: start with the default
        // rather than refuse to start, and say so. The saved value stays until changed.
        warn(
          `The saved setting "${key}" is not valid (${describeIssues(parsed.error.issues)}); using the default until it is changed.`,
        );
      }
    }
    return settings;
  }
}

function assign<K extends SettingKey>(settings: Settings, key: K, value: unknown): void {
  settings[key] = value as Settings[K];
}
