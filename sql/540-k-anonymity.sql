-- integritet: location strategies, part 5 — k-anonymity of a table, and a position heat map
-- that suppresses cells with fewer than k subjects.
--
--   select * from privacy.k_anonymity('trip', array['start_lat', 'start_lon'], 'device_id', k => 5);
--   select * from privacy.position_heatmap('position', 1000, 5, '2026-01-01', '2026-02-01');
--
-- Both read the relation with the caller's rights: a table name is resolved in the caller's
-- search_path when it is cast to regclass (for an application, `position` is masked.position),
-- so row-level security keeps to the caller's tenant and masked columns are read masked. A group
-- is the set of rows with equal quasi-identifiers (NULLs equal each other, as in GROUP BY); its
-- size is the number of distinct subjects in it (rows whose subject is NULL count for none), or
-- the number of rows when no subject column is given. A table is k-anonymous when its smallest
-- group has at least k.
--
-- SQLSTATEs: PV501 invalid argument (no relation or quasi-identifiers, k < 1, cell size),
-- PV502 unknown column.
--
-- needs: 500-location-grid

-- Why invoker: reads the system catalog only.
create or replace function privacy.location_check_columns(relation regclass, columns text[], what text)
returns void
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_missing pg_catalog.text;
begin
  select u.c into v_missing
  from pg_catalog.unnest(columns) as u(c)
  where u.c is null or not exists (
    select from pg_catalog.pg_attribute a
    where a.attrelid = relation and a.attname = u.c and a.attnum > 0 and not a.attisdropped)
  limit 1;
  if found then
    raise exception using errcode = 'PV502',
      message = pg_catalog.format('%s: %s %s is not a column of %s', what, what, coalesce(pg_catalog.quote_ident(v_missing), 'NULL'), relation);
  end if;
end
$$;
comment on function privacy.location_check_columns(regclass, text[], text) is
  'Raises PV502 naming the first of the columns that the relation does not have (internal).';

-- Why invoker: reads the relation with the caller's rights (see the banner).
create or replace function privacy.k_anonymity(relation regclass, quasi_identifiers text[], subject_column text default null,
                                               k integer default 5)
returns table (smallest_group bigint, groups bigint, groups_below_k bigint, subjects_below_k bigint, subjects bigint)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_keys pg_catalog.text;
begin
  if relation is null then
    raise exception using errcode = 'PV501', message = 'k_anonymity: no relation given';
  end if;
  if pg_catalog.cardinality(quasi_identifiers) is null or pg_catalog.cardinality(quasi_identifiers) = 0 then
    raise exception using errcode = 'PV501', message = pg_catalog.format('k_anonymity of %s: give at least one quasi-identifier', relation);
  end if;
  if k is null or k < 1 then
    raise exception using errcode = 'PV501', message = pg_catalog.format('k_anonymity of %s: k must be at least 1, not %s', relation, coalesce(k::pg_catalog.text, 'NULL'));
  end if;
  perform privacy.location_check_columns(relation, quasi_identifiers, 'quasi-identifier');
  if subject_column is not null then
    perform privacy.location_check_columns(relation, array[subject_column], 'subject column');
  end if;
  select pg_catalog.string_agg(pg_catalog.format('%I', q), ', ' order by n) into v_keys
  from pg_catalog.unnest(quasi_identifiers) with ordinality as u(q, n);

  if subject_column is null then
    -- Every row is a subject of its own.
    return query execute pg_catalog.format($q$
      with w as (
        select pg_catalog.count(*) over (partition by %1$s) as size,
               pg_catalog.row_number() over (partition by %1$s) as nth
        from %2$s
      )
      select pg_catalog.min(w.size), pg_catalog.count(*) filter (where w.nth = 1),
             pg_catalog.count(*) filter (where w.nth = 1 and w.size < $1),
             pg_catalog.count(*) filter (where w.size < $1), pg_catalog.count(*)
      from w$q$, v_keys, relation) using k;
  else
    -- One row per (group, subject): a group's row count is then its number of subjects.
    return query execute pg_catalog.format($q$
      with d as (
        select distinct %1$s, %3$I as subject from %2$s where %3$I is not null
      ), w as (
        select d.subject, pg_catalog.count(*) over (partition by %1$s) as size,
               pg_catalog.row_number() over (partition by %1$s) as nth
        from d
      )
      select pg_catalog.min(w.size), pg_catalog.count(*) filter (where w.nth = 1),
             pg_catalog.count(*) filter (where w.nth = 1 and w.size < $1),
             pg_catalog.count(distinct w.subject) filter (where w.size < $1), pg_catalog.count(distinct w.subject)
      from w$q$, v_keys, relation, subject_column) using k;
  end if;
end
$$;
comment on function privacy.k_anonymity(regclass, text[], text, integer) is
  'k-anonymity of a relation for the given quasi-identifiers, read with the caller''s rights: smallest group (distinct subjects, or rows), number of groups, groups and subjects below k.';

-- Why invoker: reads the relation with the caller's rights (see the banner). Positions between
-- from_time (inclusive) and to_time (exclusive; NULL: unbounded) counted per geo_grid cell of
-- cell_metres; a cell with fewer than k distinct subjects is left out. Points with a NULL
-- coordinate (trimmed, say) are not counted.
create or replace function privacy.position_heatmap(relation regclass, cell_metres double precision, k integer,
                                                    from_time timestamptz, to_time timestamptz,
                                                    lat_column text default 'lat', lon_column text default 'lon',
                                                    time_column text default 'recorded_at', subject_column text default 'device_id')
returns table (cell_lat double precision, cell_lon double precision, subjects bigint, positions bigint)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  if relation is null then
    raise exception using errcode = 'PV501', message = 'position_heatmap: no relation given';
  end if;
  if cell_metres is null or cell_metres < 1 or cell_metres > 1000000 then
    raise exception using errcode = 'PV501',
      message = pg_catalog.format('position_heatmap of %s: cell_metres %s is outside [1, 1000000]', relation, coalesce(cell_metres::pg_catalog.text, 'NULL'));
  end if;
  if k is null or k < 1 then
    raise exception using errcode = 'PV501',
      message = pg_catalog.format('position_heatmap of %s: k must be at least 1, not %s', relation, coalesce(k::pg_catalog.text, 'NULL'));
  end if;
  perform privacy.location_check_columns(relation, array[lat_column, lon_column, time_column, subject_column], 'column');

  return query execute pg_catalog.format($q$
    select c.cell_lat, c.cell_lon, pg_catalog.count(distinct c.subject), pg_catalog.count(*)
    from (
      select privacy.geo_grid_lat(t.%2$I, $1) as cell_lat, privacy.geo_grid_lon(t.%2$I, t.%3$I, $1) as cell_lon,
             t.%5$I as subject
      from %1$s t
      where t.%2$I is not null and t.%3$I is not null
        and ($2 is null or t.%4$I >= $2) and ($3 is null or t.%4$I < $3)
    ) c
    group by c.cell_lat, c.cell_lon
    having pg_catalog.count(distinct c.subject) >= $4
    order by c.cell_lat, c.cell_lon$q$,
    relation, lat_column, lon_column, time_column, subject_column)
  using cell_metres, from_time, to_time, k;
end
$$;
comment on function privacy.position_heatmap(regclass, double precision, integer, timestamptz, timestamptz, text, text, text, text) is
  'Positions per geo_grid cell of cell_metres in [from_time, to_time), read with the caller''s rights; cells with fewer than k distinct subjects are suppressed.';

-- See sql/100-strategy-building-blocks.sql: nothing here is for PUBLIC.
revoke execute on all functions in schema privacy from public;

-- Every role that reads, writes or sweeps protected data runs these, and admins (sql/README.md, grants).
grant execute on function
  privacy.location_check_columns(regclass, text[], text),
  privacy.k_anonymity(regclass, text[], text, integer),
  privacy.position_heatmap(regclass, double precision, integer, timestamptz, timestamptz, text, text, text, text)
  to privacy_masked, privacy_unmasked, privacy_view_owner, privacy_sweeper, privacy_admin;
