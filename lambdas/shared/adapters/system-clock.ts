import type { Clock } from '../use-cases/ports.js';

/** The wall clock, for the functions' wiring; everything else takes a Clock, so tests choose the time. */
export const systemClock: Clock = { now: () => new Date() };
