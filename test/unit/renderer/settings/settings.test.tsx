// @vitest-environment jsdom
// The settings screen: it shows what main stores, says what is wrong with a value before saving,
// sends only what changed, shows main's refusal, and warns when the sign-in is stored unprotected.
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useSession } from '../../../../src/renderer/src/features/session/useSession.js';
import { SettingsScreen } from '../../../../src/renderer/src/features/settings/SettingsScreen.js';
import { useSettings } from '../../../../src/renderer/src/features/settings/useSettings.js';
import {
  DEFAULT_SETTINGS,
  type Settings,
  type SettingsPatch,
} from '../../../../src/shared/ipc/settings.js';
import { fakeApi, installApi, signedIn } from '../shell/fake-api.js';

const initialSettings = useSettings.getState();
const initialSession = useSession.getState();

beforeEach(() => {
  useSettings.setState(initialSettings, true);
  useSession.setState({ ...initialSession, status: 'ready', session: signedIn() }, true);
});
afterEach(cleanup);

async function showSettings(
  stored: Settings = DEFAULT_SETTINGS,
  update?: (patch: SettingsPatch) => Settings,
) {
  let current = stored;
  const fake = installApi(
    fakeApi({
      getSettings: () => current,
      updateSettings:
        update ?? ((patch: SettingsPatch) => (current = { ...current, ...patch } as Settings)),
    }),
  );
  render(<SettingsScreen />);
  await screen.findByRole('button', { name: 'Save settings' });
  return fake;
}

const save = () => screen.getByRole('button', { name: 'Save settings' }) as HTMLButtonElement;

describe('settings screen', () => {
  it('shows the stored settings and saves only what changed', async () => {
    const fake = await showSettings({ ...DEFAULT_SETTINGS, uploadConcurrency: 3 });
    expect(
      (screen.getByLabelText('Files uploaded at the same time') as HTMLInputElement).value,
    ).toBe('3');
    expect((screen.getByLabelText('Server address') as HTMLInputElement).value).toBe(
      'http://127.0.0.1:4000',
    );
    expect(save().disabled).toBe(true);

    fireEvent.change(screen.getByLabelText('Files uploaded at the same time'), {
      target: { value: '8' },
    });
    fireEvent.change(screen.getByLabelText('Resolution (dpi)'), { target: { value: '600' } });
    await act(async () => fireEvent.click(save()));

    expect(fake.calls.filter(([m]) => m === 'updateSettings').map(([, input]) => input)).toEqual([
      { uploadConcurrency: 8, scanner: { ...DEFAULT_SETTINGS.scanner, resolution: 600 } },
    ]);
    expect(await screen.findByText('Settings saved.')).toBeTruthy();
  });

  it('says what is wrong with a value and will not save it', async () => {
    const fake = await showSettings();
    fireEvent.change(screen.getByLabelText('Cache size (MB)'), { target: { value: '5' } });
    expect(screen.getByText('Keep at least 100 MB for the cache')).toBeTruthy();
    expect(screen.getByLabelText('Cache size (MB)').getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(screen.getByLabelText('Resolution (dpi)'), { target: { value: 'high' } });
    expect(screen.getByText('Enter a whole number')).toBeTruthy();
    expect(save().disabled).toBe(true);
    expect(fake.calls.filter(([m]) => m === 'updateSettings')).toEqual([]);
  });

  it('adds a hot folder, checks its path, and saves it', async () => {
    const fake = await showSettings();
    fireEvent.click(screen.getByRole('button', { name: 'Add hot folder' }));
    fireEvent.change(screen.getByLabelText('Hot folder 1 path'), { target: { value: 'scans' } });
    expect(screen.getByText(/Use a full folder path/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Hot folder 1 path'), {
      target: { value: '/srv/scans' },
    });
    await act(async () => fireEvent.click(save()));
    expect(fake.calls.filter(([m]) => m === 'updateSettings').map(([, input]) => input)).toEqual([
      { hotFolders: [{ path: '/srv/scans', processedSubfolder: 'processed' }] },
    ]);
  });

  it('shows why main refused the settings', async () => {
    await showSettings(DEFAULT_SETTINGS, () => {
      throw new Error('The hot folder /srv/scans does not exist.');
    });
    fireEvent.change(screen.getByLabelText('Cache size (MB)'), { target: { value: '4096' } });
    await act(async () => fireEvent.click(save()));
    expect(screen.getByRole('alert').textContent).toBe(
      'The settings were not saved: The hot folder /srv/scans does not exist.',
    );
  });

  it('warns when the sign-in is not protected by the system keyring', async () => {
    useSession.setState({
      secretWarning: 'No system keyring was found: your sign-in is stored with basic protection.',
    });
    await showSettings();
    expect(screen.getByRole('region', { name: 'Sign-in storage' }).textContent).toContain(
      'No system keyring was found',
    );
  });

  it('follows settings changed elsewhere', async () => {
    const fake = await showSettings();
    act(() => fake.emit('onSettingsChanged', { ...DEFAULT_SETTINGS, cacheSizeMb: 999 }));
    await waitFor(() =>
      expect((screen.getByLabelText('Cache size (MB)') as HTMLInputElement).value).toBe('999'),
    );
  });
});
