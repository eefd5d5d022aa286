// Settings as the user changes them: kept in a real `conf` store (what electron-store is built
// on) in a temporary folder, every change validated with a message that names the setting, and
// every change announced to subscribers.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  openSettingsStore,
  SettingsError,
  SettingsService,
} from '../../../src/main/services/settings/settings-service.js';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/shared/ipc/settings.js';
import { confStore, temporaryDir } from './fixtures.js';

let folder: ReturnType<typeof temporaryDir>;
beforeEach(() => {
  folder = temporaryDir('medaius-settings-');
});
afterEach(() => folder.remove());

function open(options: { defaults?: Partial<Settings>; warnings?: string[] } = {}) {
  return new SettingsService({
    store: confStore(folder.dir),
    defaults: options.defaults,
    warn: (message) => options.warnings?.push(message),
  });
}

describe('settings', () => {
  it('start with the documented defaults', () => {
    expect(open().get()).toEqual({
      serverUrl: 'http://127.0.0.1:4000',
      hotFolders: [],
      scanner: { device: null, source: 'Flatbed', mode: 'Color', resolution: 300 },
      uploadConcurrency: 4,
      cacheSizeMb: 2048,
    });
  });

  it('take the server from the environment’s default until the user chooses one', () => {
    const settings = open({ defaults: { serverUrl: 'http://127.0.0.1:4100' } });
    expect(settings.get().serverUrl).toBe('http://127.0.0.1:4100');
    settings.update({ serverUrl: 'https://records.example.org/' });
    expect(open({ defaults: { serverUrl: 'http://127.0.0.1:4100' } }).get().serverUrl).toBe(
      'https://records.example.org',
    );
  });

  it('keep a change across restarts, in the store’s file', () => {
    const settings = open();
    settings.update({
      hotFolders: [{ path: '/srv/scans/front-desk' }],
      uploadConcurrency: 8,
      scanner: {
        device: 'test:0',
        source: 'Automatic Document Feeder',
        mode: 'Gray',
        resolution: 600,
      },
    });
    const reopened = open().get();
    expect(reopened.hotFolders).toEqual([
      { path: '/srv/scans/front-desk', processedSubfolder: 'processed' },
    ]);
    expect(reopened.uploadConcurrency).toBe(8);
    expect(reopened.scanner).toEqual({
      device: 'test:0',
      source: 'Automatic Document Feeder',
      mode: 'Gray',
      resolution: 600,
    });
    // Only what the user changed is written; defaults stay defaults.
    const file = JSON.parse(readFileSync(confStore(folder.dir).path, 'utf8')) as object;
    expect(Object.keys(file).sort()).toEqual(['hotFolders', 'scanner', 'uploadConcurrency']);
  });

  it('refuse an upload concurrency outside 1..16, and store nothing', () => {
    const settings = open();
    expect(() => settings.update({ uploadConcurrency: 0 })).toThrow(
      'Settings were not changed: uploadConcurrency: Upload at least 1 file at once.',
    );
    expect(() => settings.update({ uploadConcurrency: 17 })).toThrow(
      'Settings were not changed: uploadConcurrency: Upload at most 16 files at once.',
    );
    expect(() => settings.update({ uploadConcurrency: 2.5 })).toThrow(SettingsError);
    expect(() => settings.update({ uploadConcurrency: 16, cacheSizeMb: 10 })).toThrow(
      /cacheSizeMb: Keep at least 100 MB/,
    );
    expect(settings.get()).toEqual(DEFAULT_SETTINGS);
    expect(open().get()).toEqual(DEFAULT_SETTINGS);
  });

  it('refuse hot folders that are not full paths, escape via the processed folder, or repeat', () => {
    const settings = open();
    expect(() => settings.update({ hotFolders: [{ path: 'scans' }] })).toThrow(
      'hotFolders.0.path: Use a full folder path, such as /home/scans or C:\\Scans',
    );
    expect(() =>
      settings.update({ hotFolders: [{ path: '/srv/scans', processedSubfolder: '../elsewhere' }] }),
    ).toThrow(/hotFolders\.0\.processedSubfolder: Use a single folder name/);
    expect(() =>
      settings.update({ hotFolders: [{ path: '/srv/scans' }, { path: '/srv/scans' }] }),
    ).toThrow(/hotFolders: Each hot folder may be listed only once/);
    expect(
      settings.update({ hotFolders: [{ path: 'C:\\Scans', processedSubfolder: 'done' }] })
        .hotFolders,
    ).toEqual([{ path: 'C:\\Scans', processedSubfolder: 'done' }]);
  });

  it('refuse a server address that is not an http(s) URL, and an empty change', () => {
    const settings = open();
    expect(() => settings.update({ serverUrl: 'records.example.org' })).toThrow(
      /serverUrl: Enter the server address as an http:\/\/ or https:\/\/ URL/,
    );
    expect(() => settings.update({ serverUrl: 'ftp://records.example.org' })).toThrow(
      SettingsError,
    );
    expect(() => settings.update({ serverUrl: 'https://user:pw@records.example.org' })).toThrow(
      SettingsError,
    );
    expect(() => settings.update({})).toThrow('Settings were not changed: Nothing to change.');
    expect(() =>
      settings.update({ scanner: { ...DEFAULT_SETTINGS.scanner, resolution: 4800 } }),
    ).toThrow(/scanner\.resolution: Scan at 1200 dpi or less/);
    expect(() => settings.update({ colour: 'blue' } as unknown as Partial<Settings>)).toThrow(
      SettingsError,
    );
  });

  it('tell subscribers about each change once, and stop when they unsubscribe', () => {
    const settings = open();
    const heard: Settings[] = [];
    const unsubscribe = settings.subscribe((value) => heard.push(value));
    settings.update({ uploadConcurrency: 2 });
    settings.update({ uploadConcurrency: 2 });
    expect(() => settings.update({ uploadConcurrency: 99 })).toThrow(SettingsError);
    expect(heard).toEqual([{ ...DEFAULT_SETTINGS, uploadConcurrency: 2 }]);
    unsubscribe();
    settings.update({ uploadConcurrency: 3 });
    expect(heard).toHaveLength(1);
  });

  it('hand out copies, so changing one changes nothing stored', () => {
    const settings = open();
    const copy = settings.get();
    copy.hotFolders.push({ path: '/tmp', processedSubfolder: 'processed' });
    expect(settings.get().hotFolders).toEqual([]);
  });

  it('start from the default for a saved value that is no longer valid, and say so', () => {
    const store = confStore(folder.dir);
    writeFileSync(
      store.path,
      JSON.stringify({ uploadConcurrency: 64, cacheSizeMb: 512, serverUrl: 'not a url' }),
    );
    const warnings: string[] = [];
    const settings = open({ warnings });
    expect(settings.get()).toEqual({ ...DEFAULT_SETTINGS, cacheSizeMb: 512 });
    expect(warnings).toEqual([
      expect.stringContaining('The saved setting "serverUrl" is not valid'),
      'The saved setting "uploadConcurrency" is not valid (Upload at most 16 files at once); using the default until it is changed.',
    ]);
  });

  it('name a settings file that cannot be read, and what to do about it', () => {
    const file = confStore(folder.dir).path;
    writeFileSync(file, '{"uploadConcurrency": 4,');
    expect(() => openSettingsStore(() => confStore(folder.dir), file)).toThrow(
      new RegExp(
        `^The settings file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} could not be read \\(.+\\)\\. Repair or delete it; the app then starts with its default settings\\.$`,
      ),
    );
  });
});
