// Scanning in the terms the user picks from (flatbed or feeder, colour, resolution), as zod
// schemas: main's scan service works out scanimage's own option values from these, and the IPC
// contract carries them unchanged. Pure zod, like ./model.ts.
import { z } from 'zod';
import { InboxItem } from './model.js';

export const ScanSource = z.enum(['flatbed', 'feeder', 'feeder-duplex']);
export type ScanSource = z.infer<typeof ScanSource>;

export const ScanColour = z.enum(['color', 'gray', 'lineart']);
export type ScanColour = z.infer<typeof ScanColour>;

export const ScannerDevice = z.object({
  /** SANE device name, e.g. "epson2:net:192.168.1.20" or "test:0" */
  id: z.string(),
  vendor: z.string(),
  model: z.string(),
  /** e.g. "flatbed scanner", "sheetfed scanner" */
  type: z.string(),
});
export type ScannerDevice = z.infer<typeof ScannerDevice>;

/** What a scanner can do, in the terms ScanRequest uses. */
export const ScannerCapabilities = z.object({
  sources: z.array(ScanSource),
  colours: z.array(ScanColour),
  /** the resolutions offered: a list (empty when the device has a fixed one), or a range */
  resolutions: z.union([z.array(z.number()), z.object({ min: z.number(), max: z.number() })]),
});
export type ScannerCapabilities = z.infer<typeof ScannerCapabilities>;

/** A SANE device name as scanimage -L prints it: no spaces or control characters. */
export const DeviceId = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\s\p{Cc}]+$/u, { message: 'Choose a scanner from the list' });

export const ScanRequest = z.object({
  deviceId: DeviceId,
  source: ScanSource,
  colour: ScanColour,
  /** dots per inch; the nearest the scanner offers is used */
  resolution: z.number().int().min(1).max(9600),
  /** further device options, passed on as --name=value (brightness, the test device's picture) */
  deviceOptions: z
    .record(
      z.string().regex(/^[a-z0-9][a-z0-9-]*$/i, { message: 'Not a scanner option name' }),
      z
        .string()
        .max(256)
        .regex(/^[^\r\n]*$/, { message: 'One line only' }),
    )
    .optional(),
});
export type ScanRequest = z.infer<typeof ScanRequest>;

export const ScanResult = z.object({
  /** the new inbox item; absent when no page was complete */
  item: InboxItem.optional(),
  pagesScanned: z.number().int().nonnegative(),
  cancelled: z.boolean(),
});
export type ScanResult = z.infer<typeof ScanResult>;
