// Time as the server sees it: injectable so expiry and throttling are testable.
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
export const isoNow = (clock: Clock): string => clock().toISOString();
