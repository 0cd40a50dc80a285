-- integritet: does anonymization fit the schema's constraints? Checked before any row is swept.
--
--   select * from privacy.anonymize_problems();                 -- every table swept by anonymizing
--   select * from privacy.anonymize_problems('public', 'patient');
--   select * from privacy.verify_anonymize();                   -- the same, as verify findings
--
-- A sweep anonymizes with one UPDATE per batch; a NOT NULL, CHECK (a domain's too), UNIQUE or
-- foreign key that refuses the anonymized value fails the whole batch, and the expired personal
-- data stays. So each column's anonymizing expression is checked first:
--   * statically where that decides it: NULL into a NOT NULL column, one constant value into a
--     column that is UNIQUE on its own;
--   * else by trial: the column of a sample of real rows is anonymized in a subtransaction that
--     is always rolled back (row locks and all), and the constraint that refuses it is named.
-- A refused strategy comes with one that passes (tried the same way on the same rows), found
-- among the fake identifiers, pseudonym, null and keep, by the column's name and type.
-- classify_column refuses a declared strategy that does not fit (PV307); verify, lint, plan and
-- status report every column a sweep would fail on, declared strategy or not.
--
-- needs: 010-names, 180-strategy-call
-- uses later: 300-retention-plan

-- Why invoker: called by the definer functions below, in their transaction. Anonymizes up to
-- `sample` rows (with a value in sample_column, when given) by the SET list `set_sql` and
-- always rolls it back; returns the SQLSTATE
-- and the constraint (or column) of a refusal, nothing when it passes or cannot be tried (a
-- read-only transaction, rows locked by others, no privilege, an error a trigger raises).
create or replace function privacy.anonymize_try(schema_name name, table_name name, set_sql text, sample_column name,
                                                 sample integer default 20)
returns table (state text, constraint_name text)
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_column text;
begin
  begin
    -- Past the retention guards, as a sweep is; waits at most briefly for the application's locks.
    perform pg_catalog.set_config('privacy.sweeping', 'on', true);
    perform pg_catalog.set_config('lock_timeout', '200ms', true);
    execute pg_catalog.format(
      'update %1$I.%2$I as t set %3$s where t.ctid = any (array(select x.ctid from %1$I.%2$I as x %4$s limit %5$s))',
      anonymize_try.schema_name, anonymize_try.table_name, set_sql,
      case when sample_column is null then '' else pg_catalog.format('where x.%I is not null', sample_column) end, sample);
    raise exception using errcode = 'PV399', message = 'anonymization trial rolled back';
  exception
    when sqlstate 'PV399' then
      return;
    when others then
      get stacked diagnostics state = returned_sqlstate, anonymize_try.constraint_name = constraint_name, v_column = column_name;
      -- A refusal by a constraint of the schema (NOT NULL names its column) or by the type; an
      -- error a trigger raises names none and is the application's rule, not checked here.
      if state !~ '^(22|23)' or (state ~ '^23' and state <> '23502' and coalesce(anonymize_try.constraint_name, '') = '') then
        return;
      end if;
      anonymize_try.constraint_name := coalesce(nullif(anonymize_try.constraint_name, ''), v_column);
      return next;
  end;
end
$$;
comment on function privacy.anonymize_try(name, name, text, name, integer) is
  'Anonymizes a sample of rows by a SET list and rolls it back: the SQLSTATE and constraint of a refusal (internal).';

-- Why invoker: as anonymize_try. Why `expression` cannot anonymize the column: one row per
-- refusing constraint (kind NOT NULL, CHECK, domain CHECK, UNIQUE, FOREIGN KEY, type), static
-- checks first, the trial only when they pass.
create or replace function privacy.anonymize_refusal(schema_name name, table_name name, column_name name, expression text,
                                                     constant boolean)
returns table (constraint_kind text, constraint_name text, problem text)
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_relid oid := pg_catalog.to_regclass(pg_catalog.format('%I.%I', anonymize_refusal.schema_name, anonymize_refusal.table_name));
  a       record;
  t       record;
begin
  select x.attnum, x.attnotnull, x.atttypid into a from pg_catalog.pg_attribute x
  where x.attrelid = v_relid and x.attname = anonymize_refusal.column_name and not x.attisdropped;
  if a.attnum is null then
    return;
  end if;
  if a.attnotnull and expression ~* '^\(?null::' then
    constraint_kind := 'NOT NULL'; constraint_name := anonymize_refusal.column_name;
    problem := 'it would write NULL into a NOT NULL column';
    return next;
    return;
  end if;
  if constant and expression !~* '^\(?null::' then
    select c.relname into constraint_name from pg_catalog.pg_index i join pg_catalog.pg_class c on c.oid = i.indexrelid
    where i.indrelid = v_relid and i.indisunique and i.indnkeyatts = 1 and i.indkey[0] = a.attnum and i.indpred is null
    limit 1;
    if constraint_name is not null then
      constraint_kind := 'UNIQUE';
      problem := 'it would write one and the same value into every row of a UNIQUE column';
      return next;
      return;
    end if;
  end if;
  for t in select * from privacy.anonymize_try(anonymize_refusal.schema_name, anonymize_refusal.table_name,
                                                pg_catalog.format('%I = %s', anonymize_refusal.column_name, expression),
                                                anonymize_refusal.column_name) loop
    constraint_name := t.constraint_name;
    constraint_kind := case
      when t.state = '23502' then 'NOT NULL'
      when t.state = '23505' then 'UNIQUE'
      when t.state = '23503' then 'FOREIGN KEY'
      when t.state = '23514' and exists (select from pg_catalog.pg_constraint k
                                         where k.conname = t.constraint_name and k.contypid <> 0) then 'domain CHECK'
      when t.state in ('23514', '23P01') then 'CHECK'
      else 'type' end;
    problem := pg_catalog.format('a sample of its rows, anonymized, fails with SQLSTATE %s', t.state);
    return next;
  end loop;
end
$$;
comment on function privacy.anonymize_refusal(name, name, name, text, boolean) is
  'The constraints that refuse an anonymizing expression on a column: static checks, then a rolled-back trial (internal).';

-- Why invoker: as anonymize_try. A strategy that anonymizes the column and passes its
-- constraints on the same sample, as the arguments of classify_column would name it
-- ('fake_imei', anonymize_params => '{"unique": true}'); NULL when none does.
-- Candidates: a fake identifier the column's name points to, pseudonym, the other fakes, null
-- where allowed, and keep only for numbers and dates (amounts), never for text.
create or replace function privacy.anonymize_suggestion(schema_name name, table_name name, column_name name)
returns text
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_relid  oid := pg_catalog.to_regclass(pg_catalog.format('%I.%I', anonymize_suggestion.schema_name, anonymize_suggestion.table_name));
  v_type   regtype;
  v_null   boolean;
  v_unique boolean;
  v_cat    "char";
  v_name   text := pg_catalog.lower(anonymize_suggestion.column_name);
  v_params jsonb;
  v_expr   text;
  c        text;
begin
  select privacy.base_type(x.atttypid), not x.attnotnull,
         exists (select from pg_catalog.pg_index i where i.indrelid = x.attrelid and i.indisunique and x.attnum = any (i.indkey))
  into v_type, v_null, v_unique
  from pg_catalog.pg_attribute x where x.attrelid = v_relid and x.attname = anonymize_suggestion.column_name;
  select t.typcategory into v_cat from pg_catalog.pg_type t where t.oid = v_type;
  v_params := case when v_unique then '{"unique": true}'::jsonb else '{}'::jsonb end;
  foreach c in array
    case when v_cat = 'S' then
      array_remove(array[
        case when v_name ~ '(personn|pnr|ssn|personal_?(id|number)|patient_?id)' then 'fake_personnummer' end,
        case when v_name ~ 'samordning' then 'fake_samordningsnummer' end,
        case when v_name ~ '(org|company)_?(nr|no|num)' then 'fake_organisationsnummer' end,
        case when v_name ~ 'imei' then 'fake_imei' end,
        case when v_name ~ 'iccid' then 'fake_iccid' end,
        case when v_name ~ '(^|_)vin($|_)' then 'fake_vin' end,
        case when v_name ~ '(registration|reg_?(nr|no|num)|plate)' then 'fake_registration_number' end,
        case when v_name ~ '(phone|mobile|tel)' then 'fake_phone' end,
        case when v_name ~ 'mail' then 'fake_email' end,
        'pseudonym', 'fake_personnummer', 'fake_organisationsnummer', 'fake_imei', 'fake_email', 'fake_vin',
        'fake_registration_number', 'fake_iccid',
        case when v_null then 'null' end], null)
    else array_remove(array[case when v_null then 'null' end, 'pseudonym', case when v_cat in ('N', 'D') then 'keep' end], null)
    end
  loop
    begin
      v_expr := privacy.strategy_call(c, case when c like 'fake\_%' then v_params else '{}' end,
                                      pg_catalog.format('t.%I', anonymize_suggestion.column_name), v_type, 'anonymize');
    exception when sqlstate 'PV101' or sqlstate 'PV004' or sqlstate 'PV003' then
      continue;
    end;
    if not exists (select from privacy.anonymize_refusal(anonymize_suggestion.schema_name, anonymize_suggestion.table_name,
                                                         anonymize_suggestion.column_name, v_expr, false)) then
      return pg_catalog.quote_literal(c) || case when c like 'fake\_%' and v_unique
                                                 then ', anonymize_params => ''{"unique": true}''' else '' end;
    end if;
  end loop;
  return null;
end
$$;
comment on function privacy.anonymize_suggestion(name, name, name) is
  'An anonymize strategy that passes the column''s constraints on a sample of its rows, or NULL (internal).';

-- Why definer: privacy_admin members check tables they hold no privilege on; the trial runs as
-- the catalog owner (who sweeps them) with row_security off, as a sweep does, and is rolled back.
-- Returns names and SQLSTATEs, never a value.
create or replace function privacy.anonymize_problems(schema_name name default null, table_name name default null)
returns table (relation text, column_name name, strategy text, constraint_kind text, constraint_name text, problem text,
               suggestion text)
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
set row_security = off
as $$
declare
  p       record;
  a       record;
  f       record;
  plan    privacy.table_retention_plan;
  v_set   text;
  v_whole boolean;
begin
  for p in
    select x.schema_name, x.table_name from privacy.retention_policy x
    where x.action = 'anonymize' and (anonymize_problems.schema_name is null or x.schema_name = anonymize_problems.schema_name)
      and (anonymize_problems.table_name is null or x.table_name = anonymize_problems.table_name)
      and pg_catalog.to_regclass(pg_catalog.format('%I.%I', x.schema_name, x.table_name)) is not null
    order by x.schema_name, x.table_name
  loop
    relation := pg_catalog.format('%I.%I', p.schema_name, p.table_name);
    begin
      plan := privacy.retention_plan(p.schema_name, p.table_name);
    exception when sqlstate 'PV303' or sqlstate 'PV304' or sqlstate 'PV005' then
      continue;  -- reported by the retention checks themselves
    end;
    -- The whole row first, as a sweep writes it: a CHECK over two columns (ended >= started)
    -- may pass only when both change together. Column by column only when it fails.
    select pg_catalog.string_agg(pg_catalog.format('%I = %s', x.column_name, x.expression), ', ') into v_set
    from privacy.anonymize_columns(plan) x where x.problem is null;
    v_whole := v_set is null or not exists (select from privacy.anonymize_try(p.schema_name, p.table_name, v_set, null));
    for a in
      select x.column_name, x.expression, x.problem, r.anonymize_strategy
      from privacy.anonymize_columns(plan) x
      left join privacy.column_rule r
        on (r.schema_name, r.table_name, r.column_name) = (p.schema_name, p.table_name, x.column_name)
    loop
      column_name := a.column_name;
      strategy := coalesce(a.anonymize_strategy, '(none: the type''s blank value)');
      if a.problem is not null then
        constraint_kind := case when a.problem like '%NOT NULL%' then 'NOT NULL' else 'type' end;
        constraint_name := null; problem := a.problem;
        suggestion := privacy.anonymize_suggestion(p.schema_name, p.table_name, a.column_name);
        return next;
        continue;
      end if;
      -- One value for every row: redact, or the blank of a column without a strategy (no call in it).
      for f in select * from privacy.anonymize_refusal(p.schema_name, p.table_name, a.column_name, a.expression,
                                                       a.anonymize_strategy = 'redact' or a.expression !~ '[(]') x
               where not v_whole or x.problem not like 'a sample%' loop
        constraint_kind := f.constraint_kind; constraint_name := f.constraint_name; problem := f.problem;
        suggestion := privacy.anonymize_suggestion(p.schema_name, p.table_name, a.column_name);
        return next;
      end loop;
    end loop;
  end loop;
end
$$;
comment on function privacy.anonymize_problems(name, name) is
  'Columns a sweep could not anonymize: the constraint that refuses it, why, and a strategy that would pass.';

-- Why definer: as anonymize_problems. Checks one declared strategy for one column before it is
-- stored (classify_column): raises PV307 naming the constraint, with a strategy that passes.
create or replace function privacy.check_anonymize_fits(schema_name name, table_name name, column_name name,
                                                        strategy text, params jsonb)
returns void
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
set row_security = off
as $$
declare
  v_type regtype := privacy.base_type(privacy.column_type(check_anonymize_fits.schema_name, check_anonymize_fits.table_name,
                                                          check_anonymize_fits.column_name));
  v_expr text;
  f      record;
  v_hint text;
begin
  if strategy is null then
    return;
  end if;
  v_expr := privacy.strategy_call(strategy, coalesce(params, '{}'), pg_catalog.format('t.%I', check_anonymize_fits.column_name),
                                  v_type, 'anonymize');
  select * into f from privacy.anonymize_refusal(check_anonymize_fits.schema_name, check_anonymize_fits.table_name,
                                                 check_anonymize_fits.column_name, v_expr, strategy = 'redact') limit 1;
  if f.constraint_kind is null then
    return;
  end if;
  v_hint := privacy.anonymize_suggestion(check_anonymize_fits.schema_name, check_anonymize_fits.table_name,
                                         check_anonymize_fits.column_name);
  raise exception using errcode = 'PV307', schema = check_anonymize_fits.schema_name, table = check_anonymize_fits.table_name,
    column = check_anonymize_fits.column_name, constraint = coalesce(f.constraint_name, ''),
    message = pg_catalog.format('%I.%I.%I: anonymize strategy %s is refused by %s %s: %s', check_anonymize_fits.schema_name,
                                check_anonymize_fits.table_name, check_anonymize_fits.column_name, strategy, f.constraint_kind,
                                coalesce(pg_catalog.quote_ident(f.constraint_name), ''), f.problem),
    hint = case when v_hint is null
                then 'No built-in strategy passes it: classify the column not_personal, or delete the rows instead (action => ''delete'').'
                else pg_catalog.format('This one passes: anonymize => %s.', v_hint) end;
end
$$;
comment on function privacy.check_anonymize_fits(name, name, name, text, jsonb) is
  'Refuses (PV307) an anonymize strategy that a column''s constraints would refuse, naming the constraint and a strategy that passes.';

-- Why definer: as anonymize_problems. The problems as verify findings (unioned into verify()):
-- high, since a sweep that fails leaves expired personal data in place.
create or replace function privacy.verify_anonymize()
returns table (severity text, check_name text, object text, message text)
language sql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
  select 'high', 'anonymize_refused_by_constraint', p.relation || '.' || pg_catalog.quote_ident(p.column_name),
         pg_catalog.format('a sweep cannot anonymize it: %s%s refuses strategy %s (%s); %s', p.constraint_kind,
                           coalesce(' ' || pg_catalog.quote_ident(p.constraint_name), ''), p.strategy, p.problem,
                           case when p.suggestion is null
                                then 'no built-in strategy passes: classify it not_personal, anonymize => keep, or delete instead'
                                else 'this one passes: anonymize => ' || p.suggestion end)
  from privacy.anonymize_problems() p
$$;
comment on function privacy.verify_anonymize() is
  'verify findings: columns whose anonymization a constraint would refuse, with a strategy that passes.';

revoke execute on function privacy.anonymize_try(name, name, text, name, integer),
  privacy.anonymize_refusal(name, name, name, text, boolean), privacy.anonymize_suggestion(name, name, name),
  privacy.anonymize_problems(name, name), privacy.check_anonymize_fits(name, name, name, text, jsonb),
  privacy.verify_anonymize() from public;
-- check_anonymize_fits too: `integritet plan` checks the policy's strategies before apply runs
-- classify_column (which privacy_admin may call, and which calls it).
grant execute on function privacy.anonymize_problems(name, name), privacy.check_anonymize_fits(name, name, name, text, jsonb),
  privacy.verify_anonymize() to privacy_admin;
