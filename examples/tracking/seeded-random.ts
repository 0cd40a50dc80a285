/**
 * A small seeded pseudo-random generator (mulberry32) for the tracking seed.
 *
 * Math.random cannot be seeded, and the seed must give the same rows on every machine, so this uses
 * only 32-bit integer arithmetic (Math.imul, shifts), which JavaScript defines exactly.
 */

/** A stream of pseudo-random values, fully determined by the labels it was created from. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty list, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** One element of a non-empty list, with probability proportional to weight(item). */
  pickWeighted<T>(items: readonly T[], weight: (item: T) => number): T;
  /** A string of `length` digits (leading zeros allowed). */
  digits(length: number): string;
}

/**
 * Returns the stream for (seed, ...labels). Separate streams per label (e.g. per customer) keep one
 * customer's data independent of how many values were drawn for the others.
 */
export function createRandom(seed: number, ...labels: (string | number)[]): Random {
  let state = hashLabels(seed, labels);

  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new RangeError('pick: empty list');
    return items[int(0, items.length - 1)] as T;
  };

  return {
    next,
    int,
    chance: (p) => next() < p,
    pick,
    pickWeighted: (items, weight) => {
      const total = items.reduce((sum, item) => sum + weight(item), 0);
      let point = next() * total;
      for (const item of items) {
        point -= weight(item);
        if (point < 0) return item;
      }
      return pick(items);
    },
    digits: (length) => {
      let text = '';
      for (let i = 0; i < length; i++) text += String(int(0, 9));
      return text;
    },
  };
}

/** FNV-1a over the seed and labels, so that nearby seeds and labels still give unrelated streams. */
function hashLabels(seed: number, labels: readonly (string | number)[]): number {
  let hash = 0x811c9dc5;
  for (const char of [String(seed), ...labels.map(String)].join('\u0000')) {
    hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 0x01000193);
  }
  return hash >>> 0;
}
