// The one contract between renderer and main: zod schemas for the input and output of every
// channel named in ./channels.ts. Main validates both sides with them; the preload and the
// renderer's `window.api` are typed from them.
import { z } from 'zod';
import { API_HEALTH, type Channel, type IPC_METHODS } from './channels.js';

export * from './channels.js';

/** Whether the companion API answered its health check, and if not, why, in words a user can act on. */
export const ApiHealth = z.discriminatedUnion('state', [
  z.object({ state: z.literal('connected'), baseUrl: z.string(), version: z.string() }),
  z.object({ state: z.literal('unreachable'), baseUrl: z.string(), reason: z.string() }),
]);
export type ApiHealth = z.infer<typeof ApiHealth>;

/** A channel that takes no input: the exposed function has no parameters. */
const noInput = z.undefined();

export const IPC_CONTRACT = {
  [API_HEALTH]: { input: noInput, output: ApiHealth },
} as const satisfies { [C in Channel]: { input: z.ZodType; output: z.ZodType } };

export type IpcContract = typeof IPC_CONTRACT;
export type ChannelInput<C extends Channel> = z.input<IpcContract[C]['input']>;
export type ChannelOutput<C extends Channel> = z.output<IpcContract[C]['output']>;

/** The function the preload exposes for channel C: no parameters when the channel takes no input. */
export type ExposedFunction<C extends Channel> = [ChannelInput<C>] extends [undefined]
  ? () => Promise<ChannelOutput<C>>
  : (input: ChannelInput<C>) => Promise<ChannelOutput<C>>;

/** `window.api`: one function per channel, named as ./channels.ts says. */
export type ExposedApi = {
  [C in Channel as (typeof IPC_METHODS)[C]]: ExposedFunction<C>;
};
