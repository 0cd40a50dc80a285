import { randomInt } from 'node:crypto';

/**
 * The random crash moments of a fault run, drawn from one seed: INTEGRITET_FAULT_SEED replays a
 * run (every failure message names the seed), INTEGRITET_FAULT_ROUNDS sets how many crashes each
 * operation gets (default `rounds`).
 */
export interface FaultPlan {
  readonly seed: number;
  /** Crashes per operation. */
  rounds(defaultRounds: number): number;
  /** A fraction in [0, 1), the next of the seeded sequence. */
  next(): number;
  /** `message` followed by the seed and how to replay it, for assertion messages. */
  say(message: string): string;
}

export function faultPlan(): FaultPlan {
  const fromEnv = process.env.INTEGRITET_FAULT_SEED;
  const seed = fromEnv ? Number(fromEnv) : randomInt(1, 2 ** 31 - 1);
  if (!Number.isSafeInteger(seed)) throw new Error(`INTEGRITET_FAULT_SEED must be an integer, not ${fromEnv}`);
  let state = seed >>> 0;
  // mulberry32: small, fast, and the same sequence on every machine.
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    rounds: (defaultRounds) => {
      const fromEnvRounds = Number(process.env.INTEGRITET_FAULT_ROUNDS ?? defaultRounds);
      return Number.isInteger(fromEnvRounds) && fromEnvRounds > 0 ? fromEnvRounds : defaultRounds;
    },
    next,
    say: (message) => `${message} (fault seed ${seed}: replay with INTEGRITET_FAULT_SEED=${seed})`,
  };
}
