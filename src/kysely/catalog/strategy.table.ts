import type { Selectable } from 'kysely';

/** One parameter in a strategy's `param_spec`, as the SQL registry states it. */
export interface StrategyParamSpec {
  type: 'integer' | 'number' | 'string' | 'boolean';
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  required?: boolean;
  default?: unknown;
}

/** `privacy.strategy`: mask and anonymization strategies, registered by name. */
export interface StrategyTable {
  name: string;
  /** `write`: a write-minimisation rule (migration 0003), not a mask. */
  usable_for: 'mask' | 'anonymize' | 'both' | 'write';
  /** Custom strategies: the implementing function; NULL for built-in ones (migration 0003). */
  function_name: string | null;
  /** Parameter name (snake_case) to its specification. */
  param_spec: Record<string, StrategyParamSpec>;
  description: string;
  builtin: boolean;
}

/** A row of `privacy.strategy`. */
export type Strategy = Selectable<StrategyTable>;
