import { describe, expect, it } from 'vitest';
import type { Integritet } from '../../src/kysely/integritet.ts';
import { definePolicy } from '../../src/policy/define-policy.ts';

// Type-level checks: `tsc --noEmit -p .` fails when a line marked @ts-expect-error compiles,
// i.e. when a strategy's parameters stop being typed by the strategy.
function typeChecks(integritet: Integritet): void {
  void integritet.classifyColumn({ table: 'customer', column: 'name', category: 'identifier', mask: 'partial', maskParams: { keepFirst: 1 } });
  // @ts-expect-error keepFrist is no parameter of partial
  void integritet.classifyColumn({ table: 'customer', column: 'name', category: 'identifier', mask: 'partial', maskParams: { keepFrist: 1 } });
  // @ts-expect-error email takes keepDomain, not keepFirst
  void integritet.classifyColumn({ table: 'customer', column: 'email', category: 'contact', mask: 'email', maskParams: { keepFirst: 1 } });
  // @ts-expect-error fake needs its kind
  void integritet.classifyColumn({ table: 'customer', column: 'name', category: 'identifier', anonymize: 'fake' });
  // @ts-expect-error the axis of grid is lat, lon or either
  void integritet.classifyColumn({ table: 'position', column: 'lat', category: 'location', mask: 'grid', maskParams: { axis: 'x' } });
  // @ts-expect-error no such strategy
  void integritet.classifyColumn({ table: 'customer', column: 'name', category: 'identifier', mask: 'scramble' });
  // @ts-expect-error parameters without a strategy
  void integritet.classifyColumn({ table: 'customer', column: 'name', category: 'identifier', maskParams: { keepFirst: 1 } });
  // @ts-expect-error an action is anonymize or delete
  void integritet.setRetention({ table: 'trip', anchor: 'started_at', keep: '1 year', action: 'shred' });

  definePolicy({ tables: { trip: { columns: { driver_name: { category: 'identifier', mask: 'partial', maskParams: { keepLast: 2 } } } } } });
  definePolicy({
    // @ts-expect-error columns is required
    tables: { trip: { protect: true } },
  });
  definePolicy({
    tables: {
      trip: {
        // @ts-expect-error a legal basis of GDPR Art. 6(1)
        legalBasis: 'because',
        columns: {},
      },
    },
  });
  definePolicy({
    tables: {
      trip: {
        columns: {
          // @ts-expect-error digits is an integer parameter of round
          start_lat: { category: 'location', mask: 'round', maskParams: { digits: '2' } },
        },
      },
    },
  });
}

describe('typed declarations', () => {
  it('are checked by the type checker (see the @ts-expect-error lines)', () => {
    expect(typeof typeChecks).toBe('function');
  });
});
