// Serving the IPC contract (src/shared/ipc/contract.ts). The handler map and `invokeChannel` know
// nothing of their transport: `bindIpcMain` serves them to the app's own renderer over Electron
// IPC, and the same map can be served over a local WebSocket to a browser in end-to-end tests.
// Electron's ipcMain is passed in, so all of this runs under plain Node in unit tests.
import {
  CHANNELS,
  IPC_CONTRACT,
  type Channel,
  type ChannelInput,
  type ChannelOutput,
} from '../shared/ipc/contract.js';
import { isRendererUrl, type RendererLocation } from './app-protocol.js';

/** What main does for each channel, given input that has already passed the channel's schema. */
export type IpcHandlers = {
  [C in Channel]: (input: ChannelInput<C>) => Promise<ChannelOutput<C>>;
};

/**
 * Calls the handler for `channel` with the arguments a caller sent. The input must match the
 * channel's schema, and so must the handler's result, so a bug in main never reaches the
 * renderer as a malformed value.
 */
export async function invokeChannel(
  handlers: IpcHandlers,
  channel: string,
  args: readonly unknown[],
): Promise<unknown> {
  if (!isChannel(channel)) throw new Error(`Unknown IPC channel "${channel}".`);
  if (args.length > 1) {
    throw new Error(
      `Invalid input for ${channel}: expected at most one argument, got ${args.length}.`,
    );
  }
  const { input: inputSchema, output: outputSchema } = IPC_CONTRACT[channel];
  const input = inputSchema.safeParse(args[0]);
  if (!input.success) {
    throw new Error(`Invalid input for ${channel}: ${describeIssues(input.error.issues)}.`);
  }
  const handler = handlers[channel] as (input: unknown) => Promise<unknown>;
  const output = outputSchema.safeParse(await handler(input.data));
  if (!output.success) {
    throw new Error(
      `${channel} produced a result that breaks the IPC contract: ${describeIssues(output.error.issues)}.`,
    );
  }
  return output.data;
}

/** The parts of Electron's `IpcMainInvokeEvent` and `ipcMain` the binding uses. */
export interface InvokeEventLike {
  senderFrame: { url: string } | null;
}
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
}

/**
 * Answers every channel of the contract over Electron IPC, only for frames showing the app's own
 * renderer, so a page that somehow loaded elsewhere in the window cannot reach main.
 */
export function bindIpcMain(
  ipcMain: IpcMainLike,
  handlers: IpcHandlers,
  renderer: RendererLocation,
): void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, async (event, ...args) => {
      assertFromRenderer(event, channel, renderer);
      return invokeChannel(handlers, channel, args);
    });
  }
}

function assertFromRenderer(
  event: InvokeEventLike,
  channel: Channel,
  renderer: RendererLocation,
): void {
  const url = event.senderFrame?.url;
  if (!isRendererUrl(url, renderer)) {
    throw new Error(
      `Refused ${channel}: the request came from ${url ?? 'a closed frame'}, not the app.`,
    );
  }
}

function isChannel(channel: string): channel is Channel {
  return Object.hasOwn(IPC_CONTRACT, channel);
}

function describeIssues(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .map((issue) =>
      issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message,
    )
    .join('; ');
}
