// @vitest-environment jsdom
// Problems from background work (a hot folder that cannot be watched, a file it could not take)
// shown under the navigation: those main kept before the window opened, new ones as they come,
// each dismissed on its own or all at once.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Notice } from '../../../../src/shared/ipc/contract.js';
import { Notices } from '../../../../src/renderer/src/features/notices/Notices.js';
import { installFakeApi } from '../uploads/fake-api.js';

afterEach(cleanup);

const notice = (id: string, message: string): Notice => ({
  id,
  message,
  at: '2026-11-28T04:20:00.000Z',
});

describe('notices from background work', () => {
  it('shows what main kept, then what comes, and goes once all are dismissed', async () => {
    const kept = notice('n1', 'The hot folder /scans: ENOENT; it is left where it is.');
    let current = [kept];
    const fake = installFakeApi({
      listNotices: () => Promise.resolve({ notices: current }),
      dismissNotices: (target: { id?: string }) => {
        current = target.id ? current.filter((n) => n.id !== target.id) : [];
        return Promise.resolve({ notices: current });
      },
    });
    render(<Notices />);
    const region = await screen.findByRole('region', { name: 'Problems from background work' });
    expect(within(region).getByText(kept.message)).toBeTruthy();

    const rejected = notice('n2', 'fax.tif in the hot folder /scans was not taken: empty file.');
    current = [rejected, kept];
    act(() => fake.emit('onNoticesChanged', { notices: current }));
    expect(
      within(region)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([expect.stringContaining('fax.tif'), expect.stringContaining('/scans: ENOENT')]);

    const [first] = within(region).getAllByRole('listitem');
    fireEvent.click(within(first!).getByRole('button', { name: 'Dismiss' }));
    expect(fake.fn('dismissNotices')).toHaveBeenLastCalledWith({ id: 'n2' });
    await waitFor(() => expect(within(region).getAllByRole('listitem')).toHaveLength(1));

    current = [rejected, kept];
    act(() => fake.emit('onNoticesChanged', { notices: current }));
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss all 2' }));
    expect(fake.fn('dismissNotices')).toHaveBeenLastCalledWith({});
    await waitFor(() =>
      expect(screen.queryByRole('region', { name: 'Problems from background work' })).toBeNull(),
    );
  });

  it('says so when the notices cannot be read', async () => {
    installFakeApi({ listNotices: () => Promise.reject(new Error('main is gone')) });
    render(<Notices />);
    expect((await screen.findByRole('alert')).textContent).toContain('main is gone');
  });
});
