// The desktop client's settings as main stores them: read once, kept current by main's events,
// and saved as a patch of the settings that changed. Main validates again; its refusal is shown.
import { create } from 'zustand';
import type { Settings, SettingsPatch } from '../../../../shared/ipc/settings.js';
import { messageOf } from '../../lib/errors.js';

interface SettingsStore {
  status: 'idle' | 'loading' | 'ready' | 'failed';
  settings: Settings | null;
  loadError: string | null;
  saving: boolean;
  saveError: string | null;
  /** the last save succeeded and nothing was edited since */
  saved: boolean;
  /** Reads the settings and follows changes; returns the unsubscribe. */
  connect(): () => void;
  save(patch: SettingsPatch): Promise<boolean>;
  edited(): void;
}

export const useSettings = create<SettingsStore>((set) => ({
  status: 'idle',
  settings: null,
  loadError: null,
  saving: false,
  saveError: null,
  saved: false,

  connect() {
    const unsubscribe = window.api.onSettingsChanged((settings) =>
      set({ settings, status: 'ready', loadError: null }),
    );
    set({ status: 'loading', loadError: null, saved: false });
    window.api.getSettings().then(
      (settings) => set({ settings, status: 'ready' }),
      (error: unknown) =>
        set({ status: 'failed', loadError: `The settings could not be read: ${messageOf(error)}` }),
    );
    return unsubscribe;
  },

  async save(patch) {
    set({ saving: true, saveError: null, saved: false });
    try {
      const settings = await window.api.updateSettings(patch);
      set({ settings, saved: true });
      return true;
    } catch (error) {
      set({ saveError: `The settings were not saved: ${messageOf(error)}` });
      return false;
    } finally {
      set({ saving: false });
    }
  },

  edited: () => set({ saved: false }),
}));
