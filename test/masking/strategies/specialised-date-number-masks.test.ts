import { beforeAll, describe, expect, it } from 'vitest';
import { asRole, createLoginRole, type LoginRole } from '../../support/login-role.ts';
import { useTestDatabase } from '../../support/test-database.ts';
import { column, scalar } from './scalar.ts';

const db = useTestDatabase('base');

/** Zones with DST, half-hour DST (Lord Howe), a quarter-hour offset, DST at midnight, fixed offsets. */
const ZONES = ['Europe/Stockholm', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/Sao_Paulo',
  'Etc/GMT+3', 'EST', 'UTC'];

/** Parameter sets of each mask and the column type it is declared on. */
const CASES: [strategy: string, params: object, columnName: string, type: string][] = [
  ...[1, 2, 3, 7, 10, 60, 100, 1000, 86400, 999999937, 1000000000, 1000000001, 2.5].map(
    (step) => ['generalize', { step }, 'i', 'integer'] as [string, object, string, string]),
  ...[1, 10, 1000, 86400, 999999999999999, 1000000000000000, 1000000000000001, 10000000000000000, 1000000000000000000,
    2000000000000000000, 0.5].map(
    (step) => ['generalize', { step }, 'b', 'bigint'] as [string, object, string, string]),
  ...['hour', 'day', 'week', 'month', 'quarter', 'year', 'decade'].flatMap((unit) => ZONES.map(
    (time_zone) => ['generalize', { unit, time_zone }, 'tz', 'timestamptz'] as [string, object, string, string])),
  ...['minute', 'quarter_hour', 'hour', 'day'].flatMap((unit) => ZONES.map(
    (time_zone) => ['time', { unit, time_zone }, 'tz', 'timestamptz'] as [string, object, string, string])),
  ...['minute', 'quarter_hour', 'hour', 'day'].map((unit) => ['time', { unit }, 'ts', 'timestamp'] as [string, object, string, string]),
];

const expressionOf = (strategy: string, params: object, valueSql: string, type: string) =>
  scalar<string>(db.pool(), `select privacy.strategy_call($1, $2::jsonb, $3, $4::regtype, 'mask') as value`,
    [strategy, JSON.stringify(params), valueSql, type]);

const generalCall = async (strategy: string, params: object, valueSql: string, type: string) =>
  `privacy.mask_${strategy}(${valueSql}, ${await scalar<string>(db.pool(),
    `select quote_literal((privacy.strategy_defaults($1) || $2::jsonb)::text) as value`, [strategy, JSON.stringify(params)])}::jsonb)::${type}`;

/** The rows whose generalized value the column's type holds (the others raise, as the next test shows). */
const inRange = (params: object, columnName: string) => {
  const step = (params as { step?: unknown }).step;
  if (step === undefined) return 'true';
  const [min, max] = columnName === 'i' ? ['-2147483648', '2147483647'] : ['-9223372036854775808', '9223372036854775807'];
  // mod() in numeric is exact, where a numeric quotient is rounded to 16 significant digits.
  return `n.${columnName} is null
          or n.${columnName}::numeric - mod(mod(n.${columnName}::numeric, ${step}) + ${step}, ${step}) between ${min} and ${max}`;
};

beforeAll(async () => {
  // Edges (zero, signs, multiples, the ends of each range the general function does not
  // overflow on), every DST change of 2018 and 2026 in each zone in steps of 7 minutes, and random
  // values from 1800 to 2200.
  await db.pool().query(`
    create table public.n (i integer, b bigint, tz timestamptz, ts timestamp);
    insert into public.n (i, b) values (null, null), (0, 0), (1, 1), (-1, -1), (9, 9), (10, 10), (-10, -10), (-11, -11),
      (2147483647, 9223372036854775807), (-2147483000, -9223372036854775000), (2147483000, 999999999999999),
      (-1000000000, -999999999999999), (999999999, 1000000000000000), (-999999999, -1000000000000000),
      (1000000001, 1000000000000001), (-1000000001, -1000000000000001), (123456789, 4611686018427387904),
      -- Beyond ±10^15 a numeric quotient is rounded to whole numbers, and .6 rounds up:
      -- 4611686018427387906 / 10 gives 461168601842738791 (the general function divides in
      -- integers for a whole step, as the specialised expression).
      (7, 4611686018427387906), (-7, -4611686018427387906), (8, 4611686018427387999), (-8, -999999999999999999);
    insert into public.n (tz) values (null), ('infinity'), ('-infinity'), ('2000-01-01 00:00+00'), ('1999-12-31 23:59:59.999999+00'),
      ('1800-01-01 00:07+00'), ('2199-12-31 23:53+00'), ('1969-12-31 23:59:59.5+00');`);
  await db.pool().query(`
    insert into public.n (tz)
      select t + m * interval '7 minutes'
      from (select distinct pg_catalog.timezone(z, d::timestamp) as t
            from unnest($1::text[]) z, (select generate_series(timestamp '2018-01-01', timestamp '2018-12-31', interval '1 hour') union all select generate_series(timestamp '2026-01-01', timestamp '2026-12-31', interval '1 hour')) d(d)
            where pg_catalog.timezone(z, d::timestamp) - pg_catalog.timezone(z, (d - interval '1 hour')::timestamp) <> interval '1 hour') changes,
           generate_series(-20, 20) m;`, [ZONES]);
  await db.pool().query(`
    select setseed(0.181);
    insert into public.n (i, b, tz)
      select floor((random() - 0.5) * 4294967294)::int, floor((random() - 0.5) * 2e15)::bigint,
             timestamptz '1800-01-01 00:00+00' + random() * interval '146000 days'
      from generate_series(1, 3000);
    update public.n set ts = pg_catalog.timezone('UTC', tz);`);
});

describe('a specialised date or number mask gives the output of the general function', () => {
  it.each(CASES)('%s %j on %s', async (strategy, params, columnName, type) => {
    const expression = await expressionOf(strategy, params, `n.${columnName}`, type);
    const general = await generalCall(strategy, params, `n.${columnName}`, type);
    const differences = await column<string>(db.pool(), `
      select format('%s: %s <> %s', n.${columnName}, s, g) as value
      from (select * from public.n where ${inRange(params, columnName)}) n,
           lateral (select (${expression}) as s, ${general} as g) m
      where s is distinct from g or s::text is distinct from g::text`);
    expect(differences, expression).toEqual([]);
  });

  it('past the ends of integer, both raise 22003 where the general function does', async () => {
    for (const step of [7, 10, 1000000000]) {
      const expression = await expressionOf('generalize', { step }, 'x', 'integer');
      expect(expression).not.toMatch(/mask_generalize/);
      for (const value of [-2147483648, -2147483643, -2147483640, 2147483647]) {
        const outcome = async (sql: string) => {
          try {
            return String(await scalar(db.pool(), `select (${sql})::text as value from (select ${value}::integer as x) v`));
          } catch (error) {
            return `error ${(error as { code?: string }).code}`;
          }
        };
        expect(await outcome(expression), `${value} step ${step}`).toBe(await outcome(`privacy.mask_generalize(x, '{"step": ${step}}')`));
      }
    }
  });

  it('on bigint, by a whole step: pure integer arithmetic, exact to the ends of bigint, 22003 only for a bucket below it', async () => {
    const expression = await expressionOf('generalize', { step: 10 }, 'x', 'bigint');
    expect(expression).not.toMatch(/CASE|mask_generalize|numeric/);
    const outcome = async (sql: string, value: string) => {
      try {
        return String(await scalar(db.pool(), `select (${sql})::text as value from (select ${value}::bigint as x) v`));
      } catch (error) {
        return `error ${(error as { code?: string }).code}`;
      }
    };
    for (const [value, expected] of [['9223372036854775807', '9223372036854775800'], ['4611686018427387906', '4611686018427387900'],
      ['-999999999999999999', '-1000000000000000000'], ['-9223372036854775800', '-9223372036854775800'],
      ['-9223372036854775808', 'error 22003']]) {
      expect(await outcome(expression, value!), value).toBe(expected);
      expect(await outcome(`privacy.mask_generalize(x, '{"step": 10}')`, value!), value).toBe(expected);
    }
  });
});

describe('the generator writes the specialised expression', () => {
  it.each([
    ['generalize', { step: 10 }, 'integer', `(n.i) OPERATOR(pg_catalog.-) (((n.i) OPERATOR(pg_catalog.%) 10 OPERATOR(pg_catalog.+) 10) OPERATOR(pg_catalog.%) 10)`],
    ['generalize', { step: 1000 }, 'bigint',
     `(n.i) OPERATOR(pg_catalog.-) (((n.i) OPERATOR(pg_catalog.%) '1000'::bigint OPERATOR(pg_catalog.+) '1000'::bigint) OPERATOR(pg_catalog.%) '1000'::bigint)`],
    ['generalize', { unit: 'month', time_zone: 'Europe/Stockholm' }, 'timestamptz', `pg_catalog.date_trunc('month', (n.i), 'Europe/Stockholm')`],
    ['time', { unit: 'day', time_zone: 'Europe/Stockholm' }, 'timestamptz', `pg_catalog.date_trunc('day', (n.i), 'Europe/Stockholm')`],
    ['time', { unit: 'quarter_hour' }, 'timestamptz', `pg_catalog.date_bin('00:15:00'::interval, (n.i), '2000-01-01 00:00:00+00'::pg_catalog.timestamptz)`],
    ['time', { unit: 'hour' }, 'timestamptz', `pg_catalog.date_bin('1 hour'::interval, (n.i), '2000-01-01 00:00:00+00'::pg_catalog.timestamptz)`],
    ['generalize', { unit: 'day', time_zone: 'UTC' }, 'timestamptz', `pg_catalog.date_bin('1 day'::interval, (n.i), '2000-01-01 00:00:00+00'::pg_catalog.timestamptz)`],
    ['time', { unit: 'quarter_hour' }, 'timestamp', `pg_catalog.date_bin('00:15:00'::interval, (n.i), '2000-01-01 00:00:00'::timestamp)`],
  ])('%s %j %s', async (strategy, params, type, piece) => {
    expect(await expressionOf(strategy, params, 'n.i', type)).toContain(piece);
  });

  it('keeps the general call where it is the cheaper or the only exact one: a fractional step, UTC, dates', async () => {
    expect(await expressionOf('generalize', { step: 2.5 }, 'n.i', 'integer')).toMatch(/^privacy\.mask_generalize\(/);
    expect(await expressionOf('generalize', { step: 2000000000000000000 }, 'n.b', 'bigint')).toMatch(/^privacy\.mask_generalize\(/);
    expect(await expressionOf('generalize', { unit: 'month' }, 'n.tz', 'timestamptz')).toMatch(/^privacy\.mask_generalize\(/);
    expect(await expressionOf('generalize', { unit: 'hour', time_zone: 'America/New_York' }, 'n.tz', 'timestamptz')).toMatch(/^privacy\.mask_generalize\(/);
    expect(await expressionOf('time', { unit: 'hour', time_zone: 'Europe/Stockholm' }, 'n.tz', 'timestamptz')).toMatch(/^privacy\.mask_time\(/);
    expect(await expressionOf('time', { unit: 'minute', time_zone: 'Asia/Kathmandu' }, 'n.tz', 'timestamptz')).toMatch(/^privacy\.mask_time\(/);
    expect(await expressionOf('generalize', { unit: 'year' }, 'n.tz::date', 'date')).toMatch(/^privacy\.mask_generalize\(/);
  });
});

describe('a specialised date or number mask is still inlined for the reader', () => {
  let reader: LoginRole;

  beforeAll(async () => {
    reader = await createLoginRole(db, { memberOf: ['privacy_masked'] });
    await db.pool().query(`grant select on public.n to ${reader.name}`);
  });

  it.each(CASES)('%s %j on %s', async (strategy, params, columnName, type) => {
    const expression = await expressionOf(strategy, params, `n.${columnName}`, type);
    const plan = await asRole(reader, async (client) =>
      (await client.query(`explain (verbose, costs off) select ${expression} from public.n`)).rows.map((r) => r['QUERY PLAN']).join('\n'));
    expect(plan).not.toMatch(/privacy\.(mask|param)_\w+\(/);
    expect(plan).not.toMatch(/jsonb/);
  });
});
