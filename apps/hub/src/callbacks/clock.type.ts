/** Where the callback stages read "now", so tests can move time by a day without waiting for it. */
export interface Clock {
  now(): Date;
}

export const SYSTEM_CLOCK: Clock = { now: () => new Date() };
