// k-anonymity (sql/540-k-anonymity.sql): the smallest group of equal quasi-identifiers, counted
// in distinct subjects, checked against an example worked out by hand; and a heat map of
// positions that leaves out every cell with fewer than k subjects.
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/test-database.ts';

const db = useTestDatabase('base');

beforeAll(async () => {
  await db.pool().query(`
    create table public.visit (subject int, zip text, age_band text);
    insert into public.visit values
      (1, '11122', '30-39'), (1, '11122', '30-39'), (2, '11122', '30-39'), (3, '11122', '30-39'),  -- G1: subjects 1, 2, 3 (4 rows)
      (4, '11122', '40-49'), (5, '11122', '40-49'), (1, '11122', '40-49'),                         -- G2: 4, 5, 1
      (6, '11133', '30-39'), (9, '11133', '30-39'),                                                -- G3: 6, 9
      (7, null, '30-39'), (8, null, '30-39'),                                                      -- G4: 7, 8 (NULL zips group together)
      (10, '11144', '50-59'),                                                                      -- G5: 10 alone
      (null, '11155', '60-69');                                                                    -- no subject: no group of subjects`);
});

describe('privacy.k_anonymity matches the example worked out by hand', () => {
  it('by distinct subjects, k = 3: smallest group 1, 5 groups, 3 of them (5 subjects) below k, 10 subjects', async () => {
    const { rows } = await db.pool().query(`select * from privacy.k_anonymity('visit', array['zip', 'age_band'], 'subject', k => 3)`);
    expect(rows).toEqual([{ smallest_group: '1', groups: '5', groups_below_k: '3', subjects_below_k: '5', subjects: '10' }]);
  });

  it('by distinct subjects, k = 2: only the lone subject 10 is below k', async () => {
    const { rows } = await db.pool().query(`select * from privacy.k_anonymity('visit', array['zip', 'age_band'], 'subject', k => 2)`);
    expect(rows).toEqual([{ smallest_group: '1', groups: '5', groups_below_k: '1', subjects_below_k: '1', subjects: '10' }]);
  });

  it('by rows when no subject column is given: 6 groups of 4, 3, 2, 2, 1 and 1 rows', async () => {
    const { rows } = await db.pool().query(`select * from privacy.k_anonymity('visit', array['zip', 'age_band'], k => 3)`);
    expect(rows).toEqual([{ smallest_group: '1', groups: '6', groups_below_k: '4', subjects_below_k: '6', subjects: '13' }]);
  });

  it('on one quasi-identifier: age bands hold 8, 3, 1 subjects', async () => {
    const { rows } = await db.pool().query(`select smallest_group, groups from privacy.k_anonymity('visit', array['age_band'], 'subject')`);
    expect(rows).toEqual([{ smallest_group: '1', groups: '3' }]);
  });

  it('reports an empty table as no groups', async () => {
    await db.pool().query('create table public.nobody (subject int, zip text)');
    const { rows } = await db.pool().query(`select * from privacy.k_anonymity('nobody', array['zip'], 'subject')`);
    expect(rows).toEqual([{ smallest_group: null, groups: '0', groups_below_k: '0', subjects_below_k: '0', subjects: '0' }]);
  });

  it.each([
    ['an unknown quasi-identifier', `privacy.k_anonymity('visit', array['zip', 'agee'], 'subject')`, 'PV502'],
    ['an unknown subject column', `privacy.k_anonymity('visit', array['zip'], 'person')`, 'PV502'],
    ['no quasi-identifiers', `privacy.k_anonymity('visit', array[]::text[], 'subject')`, 'PV501'],
    ['k = 0', `privacy.k_anonymity('visit', array['zip'], 'subject', k => 0)`, 'PV501'],
    ['an unknown table', `privacy.k_anonymity('nowhere', array['zip'], 'subject')`, '42P01'],
  ])('refuses %s', async (_, call, code) => {
    await expect(db.pool().query(`select * from ${call}`)).rejects.toMatchObject({ code });
  });

  it('quotes names: a column named like an injection is just a name', async () => {
    await db.pool().query(`create table public.odd ("a""); drop table public.visit; --" int, s int)`);
    await db.pool().query(`insert into public.odd values (1, 1), (1, 2)`);
    const { rows } = await db.pool().query(`select smallest_group from privacy.k_anonymity('odd', array['a"); drop table public.visit; --'], 's')`);
    expect(rows).toEqual([{ smallest_group: '2' }]);
    expect((await db.pool().query('select count(*)::int as n from public.visit')).rows[0].n).toBe(13);
  });
});

describe('privacy.position_heatmap suppresses cells with fewer than k subjects', () => {
  beforeAll(async () => {
    // Three 1 km cells: A visited by devices 1, 2 and 3; B by device 4 alone (many times); C by 1 and 2.
    await db.pool().query(`
      create table public.fix (device_id int, recorded_at timestamptz, lat float8, lon float8);
      with cell(name, lat, lon) as (
        select name, privacy.geo_grid_lat(lat, 1000), privacy.geo_grid_lon(lat, lon, 1000)
        from (values ('A', 59.33, 18.07), ('B', 59.40, 18.20), ('C', 57.70, 11.97)) v(name, lat, lon)
      )
      insert into public.fix
      select d, timestamptz '2026-03-01 08:00+00' + n * interval '1 minute', cell.lat + n * 1e-5, cell.lon - n * 1e-5
      from cell, generate_series(1, 4) d, generate_series(1, 5) n
      where (cell.name = 'A' and d <= 3) or (cell.name = 'B' and d = 4) or (cell.name = 'C' and d <= 2);
      -- Outside the time window: would make C a cell of three.
      insert into public.fix
      select 3, timestamptz '2026-04-01 08:00+00', privacy.geo_grid_lat(57.70, 1000), privacy.geo_grid_lon(57.70, 11.97, 1000);`);
  });

  const heatmap = (k: number) => db.pool().query(`
    select round(cell_lat::numeric, 2)::float8 as lat, round(cell_lon::numeric, 2)::float8 as lon, subjects, positions
    from privacy.position_heatmap('fix', 1000, $1, '2026-03-01', '2026-03-02') order by cell_lat desc`, [k]);

  it('k = 3: only the cell that three devices visited', async () => {
    expect((await heatmap(3)).rows).toEqual([{ lat: 59.33, lon: 18.08, subjects: '3', positions: '15' }]);
  });

  it('k = 2: also the cell of two; the cell of one device stays out however often it was visited', async () => {
    expect((await heatmap(2)).rows).toEqual([
      { lat: 59.33, lon: 18.08, subjects: '3', positions: '15' },
      { lat: 57.7, lon: 11.98, subjects: '2', positions: '10' },
    ]);
  });

  it('k = 1: every cell, the lone device\'s too', async () => {
    expect((await heatmap(1)).rows.map((r) => r.subjects)).toEqual(['1', '3', '2']);
  });

  it('refuses a cell size out of range, and unknown columns', async () => {
    await expect(db.pool().query(`select * from privacy.position_heatmap('fix', 0, 2, null, null)`)).rejects.toMatchObject({ code: 'PV501' });
    await expect(db.pool().query(`select * from privacy.position_heatmap('fix', 1000, 2, null, null, subject_column => 'vehicle_id')`))
      .rejects.toMatchObject({ code: 'PV502' });
  });
});
