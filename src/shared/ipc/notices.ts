// Problems main meets while nobody is waiting for an answer — a hot folder that cannot be
// watched, a file the hot folder could not take, offline copies that cannot open — kept until
// the user dismisses them, so a window opened later still shows them.
import { z } from 'zod';
import { NOTICES_CHANGED, NOTICES_DISMISS, NOTICES_LIST } from './channels.js';

export const Notice = z.strictObject({
  id: z.string(),
  /** a whole sentence that names what went wrong, where, and what became of it */
  message: z.string(),
  /** when it last happened (ISO 8601); the same message again moves it up */
  at: z.string(),
});
export type Notice = z.infer<typeof Notice>;

/** Newest first. */
export const NoticeList = z.strictObject({ notices: z.array(Notice) });
export type NoticeList = z.infer<typeof NoticeList>;

/** One notice, or all of them when `id` is left out. */
export const NoticeTarget = z.strictObject({ id: z.string().max(100).optional() });

export const NOTICES_CONTRACT = {
  [NOTICES_LIST]: { input: z.undefined(), output: NoticeList },
  [NOTICES_DISMISS]: { input: NoticeTarget, output: NoticeList },
} as const;

export const NOTICES_EVENTS = {
  [NOTICES_CHANGED]: NoticeList,
} as const;
