-- integritet: specialised masks — for a built-in mask and the constant parameters of a
-- declaration, the cheapest SQL expression with exactly the output of the general function.
--
--   select privacy.mask_specialised('privacy.mask_partial(text,jsonb)', '{"keep_first": 1, "keep_last": 0, "fill": "*"}', 't.name', 'text');
--   --> CASE WHEN pg_catalog.octet_length(t.name) OPERATOR(pg_catalog.>) 4 OR pg_catalog.char_length(t.name) OPERATOR(pg_catalog.>) 1
--            THEN pg_catalog.left(t.name, 1) OPERATOR(pg_catalog.||) pg_catalog.repeat('*'::pg_catalog.text, pg_catalog.char_length(t.name) OPERATOR(pg_catalog.-) 1)
--            ELSE pg_catalog.repeat('*'::pg_catalog.text, pg_catalog.char_length(t.name)) END
--
-- Why: privacy.strategy_expression (sql/180) writes a call of the general function, which the
-- planner inlines and whose jsonb parameters it folds; but what the declared parameters make
-- useless stays in every row's work: `- 0` and `|| right(value, 0)` when keep_last is 0, the NULL
-- test in front of strict functions, the three walks of phone's digit_suffix_length. Here the
-- generator writes only what these parameters need. Written as sql/100 says of inlined bodies
-- (every function qualified, every operator OPERATOR(pg_catalog.x), no name-resolved syntax),
-- since the expression lands in a view. The result is text like the general function's, and
-- takes its collation from the value as the general call does: where it could not (redact, or
-- partial keeping nothing, whose output holds no character of the value) there is no
-- specialisation. Anything unforeseen gives NULL, and the caller keeps the general call.
--
-- What each gives, and why it is the same output:
--   * partial: the general expression without its `- 0` and `|| right(v, 0)`, and with one
--     char_length a row instead of two: a value of more than 4 × (keep_first + keep_last) bytes
--     has more characters than that in every server encoding (none takes more than 4 bytes a
--     character), which octet_length tells without reading the value.
--   * phone: when the last keep_last characters are digits (or the value is shorter and all
--     digits), the general function keeps exactly them and stars every other digit; other
--     shapes (separators among the last digits) take the general function, through
--     privacy.mask_phone_rare(), which is not inlined: inlined, its expression was rebuilt at the
--     start of every statement, two thirds of the instructions of a masked key lookup.
--     The test counts bytes (octet_length), not `= ''`, which a nondeterministic collation could
--     answer true for a separator.
--   * email: LIKE '%@%' instead of strpos(…) > 0 (a tenth fewer instructions a row; both refuse a
--     nondeterministic collation), and the NULL test last, where a NULL value ends anyway.
--   * generalize of integer and bigint by a whole step: value − (value mod step), the remainder
--     taken toward minus infinity, in the column's own arithmetic instead of numeric division
--     (a fifth of the instructions). Overflow raises 22003 where the general function's cast
--     back raises it. For bigint this is the general function's own arithmetic for a whole step
--     (sql/140), written without its test of the step.
--   * pseudonym: the HMAC inlined (privacy.pseudonym_digest), its key's pads read once per
--     statement from privacy.pseudonym_pad, which only the masked views' owner may read, where
--     the general function calls the definer privacy.pseudonym_hmac() a row (a quarter of the
--     instructions). Only the masked views write this: a role that reads the expression itself
--     has no pads, and the pseudonym of any statement but a masked view's is the general call's.
--   * generalize and time of timestamptz by days and longer in a zone other than UTC:
--     date_trunc(unit, value, zone).
--   * time of quarter hours: date_bin, a quarter of the instructions of the general expression;
--     generalize and time of minutes, hours and days of timestamptz in UTC: date_bin too.
-- Dates, numeric, double precision, round, hash, fake and grid need nothing here: once inlined
-- and folded, the general function is already the expression a DBA writes (bench/mask-cost.ts
-- counts each against it).
--
-- needs: 100-strategy-building-blocks, 110-mask-text, 131-mask-pseudonym, 140-mask-generalize, 161-mask-time

-- Why invoker: builds text from constants; executes nothing. The time masks' part of
-- privacy.mask_specialised: generalize and time of timestamptz and timestamp, or NULL.
create or replace function privacy.mask_specialised_time(fn regprocedure, params jsonb, value_sql text)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  if fn in ('privacy.mask_generalize(pg_catalog.timestamptz,pg_catalog.jsonb)'::pg_catalog.regprocedure,
            'privacy.mask_time(pg_catalog.timestamptz,pg_catalog.jsonb)'::pg_catalog.regprocedure)
     and params ->> 'unit' in ('day', 'week', 'month', 'quarter', 'year', 'decade')
        and coalesce(params ->> 'time_zone', 'UTC') <> 'UTC' then
    -- In a zone other than UTC, date_trunc's own zone argument converts once where the general
    -- expression converts there and back (a third fewer instructions for Europe/Stockholm); in
    -- UTC the general expression is the cheaper one. Days and longer only: those date_trunc
    -- places in the zone as timezone() does; an hour keeps the offset of the value, which in
    -- the hour a clock turns back is not the one timezone() picks.
    return pg_catalog.format('pg_catalog.date_trunc(%L, (%s), %L)', params ->> 'unit', value_sql, params ->> 'time_zone');

  elsif fn in ('privacy.mask_generalize(pg_catalog.timestamptz,pg_catalog.jsonb)'::pg_catalog.regprocedure,
               'privacy.mask_time(pg_catalog.timestamptz,pg_catalog.jsonb)'::pg_catalog.regprocedure)
        and params ->> 'unit' in ('minute', 'hour', 'day')
        and coalesce(params ->> 'time_zone', 'UTC') = 'UTC' then
    -- In UTC, minutes, hours and days are bins of fixed length from any UTC midnight: date_bin
    -- divides once where the general expression converts, truncates and converts back (a fifth
    -- fewer instructions). ±infinity stays itself in both.
    return pg_catalog.format($f$pg_catalog.date_bin(%L::interval, (%s), '2000-01-01 00:00:00+00'::pg_catalog.timestamptz)$f$,
                             '1 ' || (params ->> 'unit'), value_sql);

  elsif fn in ('privacy.mask_time(pg_catalog.timestamptz,pg_catalog.jsonb)'::pg_catalog.regprocedure,
               'privacy.mask_time(pg_catalog.timestamp,pg_catalog.jsonb)'::pg_catalog.regprocedure)
        and params ->> 'unit' = 'quarter_hour' then
    -- date_bin on quarter hours counted from a whole hour: one division, where the general
    -- expression truncates, extracts the minute and adds an interval. The general expression
    -- gives NULL for ±infinity (it has no minute), hence isfinite.
    return pg_catalog.format(
      $f$CASE WHEN pg_catalog.isfinite(%1$s) THEN pg_catalog.date_bin('00:15:00'::interval, %1$s, %2$s) END$f$,
      pg_catalog.format('(%s)', value_sql),
      case when fn = 'privacy.mask_time(pg_catalog.timestamptz,pg_catalog.jsonb)'::pg_catalog.regprocedure
           then $t$'2000-01-01 00:00:00+00'::pg_catalog.timestamptz$t$ else $t$'2000-01-01 00:00:00'::timestamp$t$ end);
  end if;
  return null;
end
$$;
comment on function privacy.mask_specialised_time(regprocedure, jsonb, text) is
  'The time masks'' part of privacy.mask_specialised(): the cheapest expression of generalize or time of a timestamp for these parameters, or NULL (internal).';
revoke execute on function privacy.mask_specialised_time(regprocedure, jsonb, text) from public;
grant execute on function privacy.mask_specialised_time(regprocedure, jsonb, text) to privacy_admin;

-- Why invoker: builds text from constants; executes nothing.
create or replace function privacy.mask_specialised(fn regprocedure, params jsonb, value_sql text, value_type regtype)
returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v        pg_catalog.text := case when value_type = 'pg_catalog.text'::pg_catalog.regtype then value_sql
                                   else pg_catalog.format('(%s)::pg_catalog.text', value_sql) end;
  v_len    pg_catalog.text := pg_catalog.format('pg_catalog.char_length(%s)', v);
  v_first  pg_catalog.int4;
  v_last   pg_catalog.int4;
  v_fill   pg_catalog.text;
  v_body   pg_catalog.text;
  v_step   pg_catalog.numeric;
  v_limit  pg_catalog.numeric;
begin
  if fn = 'privacy.mask_partial(pg_catalog.text,pg_catalog.jsonb)'::pg_catalog.regprocedure then
    v_first := coalesce((params ->> 'keep_first')::pg_catalog.int4, 1);
    v_last  := coalesce((params ->> 'keep_last')::pg_catalog.int4, 0);
    v_fill  := coalesce(params ->> 'fill', '*');
    if v_first < 0 or v_last < 0 or v_first + v_last = 0 then
      return null;
    end if;
    v_body := pg_catalog.format('pg_catalog.repeat(%L::pg_catalog.text, %s OPERATOR(pg_catalog.-) %s)', v_fill, v_len, v_first + v_last);
    if v_first > 0 then
      v_body := pg_catalog.format('pg_catalog.left(%s, %s) OPERATOR(pg_catalog.||) %s', v, v_first, v_body);
    end if;
    if v_last > 0 then
      v_body := pg_catalog.format('%s OPERATOR(pg_catalog.||) pg_catalog.right(%s, %s)', v_body, v, v_last);
    end if;
    return pg_catalog.format('CASE WHEN pg_catalog.octet_length(%s) OPERATOR(pg_catalog.>) %s OR %s OPERATOR(pg_catalog.>) %s '
                             'THEN %s ELSE pg_catalog.repeat(%L::pg_catalog.text, %s) END',
                             v, 4 * (v_first + v_last), v_len, v_first + v_last, v_body, v_fill, v_len);

  elsif fn = 'privacy.mask_phone(pg_catalog.text,pg_catalog.jsonb)'::pg_catalog.regprocedure then
    v_last := coalesce((params ->> 'keep_last')::pg_catalog.int4, 2);
    if v_last < 0 then
      return null;
    elsif v_last = 0 then
      return pg_catalog.format($f$pg_catalog.translate(%s, '0123456789', '**********')$f$, v);
    end if;
    return pg_catalog.format(
      $f$CASE WHEN pg_catalog.octet_length(pg_catalog.translate(pg_catalog.right(%1$s, %2$s), '0123456789', '')) OPERATOR(pg_catalog.=) 0 $f$
      || $f$THEN pg_catalog.translate(pg_catalog.left(%1$s, -%2$s), '0123456789', '**********') OPERATOR(pg_catalog.||) pg_catalog.right(%1$s, %2$s) $f$
      || $f$ELSE privacy.mask_phone_rare(%1$s, %2$s) END$f$,
      v, v_last);

  elsif fn = 'privacy.mask_email(pg_catalog.text,pg_catalog.jsonb)'::pg_catalog.regprocedure then
    if coalesce((params ->> 'keep_domain')::pg_catalog.bool, true) then
      return pg_catalog.format(
        $f$CASE WHEN %1$s OPERATOR(pg_catalog.~~) '%%@%%' $f$
        || $f$THEN '***@' OPERATOR(pg_catalog.||) pg_catalog.split_part(%1$s, '@', -1) $f$
        || $f$WHEN %1$s IS NOT NULL THEN '***' END$f$, v);
    end if;
    -- keep_domain false is the same as redact: the general call is already the cheapest.
    return null;

  elsif fn in ('privacy.mask_generalize(pg_catalog.int4,pg_catalog.jsonb)'::pg_catalog.regprocedure,
               'privacy.mask_generalize(pg_catalog.int8,pg_catalog.jsonb)'::pg_catalog.regprocedure) then
    v_step := (params ->> 'step')::pg_catalog.numeric;
    v_limit := case when fn = 'privacy.mask_generalize(pg_catalog.int4,pg_catalog.jsonb)'::pg_catalog.regprocedure
                    then 1000000000 else 1000000000000000000 end;
    -- A whole step small enough that value % step + step cannot overflow; anything else (2.5)
    -- keeps the general call. For bigint, the general function takes the same integer path for
    -- such a step (sql/140), so this is its expression without the test of the step.
    if v_step is null or v_step <= 0 or v_step <> pg_catalog.trunc(v_step) or v_step > v_limit then
      return null;
    end if;
    if fn = 'privacy.mask_generalize(pg_catalog.int4,pg_catalog.jsonb)'::pg_catalog.regprocedure then
      return pg_catalog.format('%1$s OPERATOR(pg_catalog.-) ((%1$s OPERATOR(pg_catalog.%%) %2$s OPERATOR(pg_catalog.+) %2$s) OPERATOR(pg_catalog.%%) %2$s)',
                               pg_catalog.format('(%s)', value_sql), v_step::pg_catalog.int4);
    end if;
    return pg_catalog.format(
      $f$%1$s OPERATOR(pg_catalog.-) ((%1$s OPERATOR(pg_catalog.%%) '%2$s'::bigint OPERATOR(pg_catalog.+) '%2$s'::bigint) OPERATOR(pg_catalog.%%) '%2$s'::bigint)$f$,
      pg_catalog.format('(%s)', value_sql), v_step::pg_catalog.int8);

  elsif fn in ('privacy.mask_pseudonym(pg_catalog.text,pg_catalog.jsonb)'::pg_catalog.regprocedure,
               'privacy.mask_pseudonym(pg_catalog.int8,pg_catalog.jsonb)'::pg_catalog.regprocedure,
               'privacy.mask_pseudonym(pg_catalog.int4,pg_catalog.jsonb)'::pg_catalog.regprocedure) then
    -- The HMAC in the view, its pads read once per statement from privacy.pseudonym_pad, which
    -- only the masked views' owner may read (sql/131): never the key, nor a pad, as a literal.
    v_body := pg_catalog.format('privacy.pseudonym_digest(%s, (SELECT p.inner_pad FROM privacy.pseudonym_pad p), '
                                '(SELECT p.outer_pad FROM privacy.pseudonym_pad p))', v);
    if fn = 'privacy.mask_pseudonym(pg_catalog.text,pg_catalog.jsonb)'::pg_catalog.regprocedure then
      return pg_catalog.format('pg_catalog.left(%s, %s)', v_body, coalesce((params ->> 'length')::pg_catalog.int4, 16));
    elsif fn = 'privacy.mask_pseudonym(pg_catalog.int8,pg_catalog.jsonb)'::pg_catalog.regprocedure then
      return pg_catalog.format('privacy.hex_to_bigint(pg_catalog.left(%s, 15))', v_body);
    end if;
    return pg_catalog.format($f$(privacy.hex_to_bigint(pg_catalog.left(%s, 8)) OPERATOR(pg_catalog.%%) '2147483648'::bigint)::pg_catalog.int4$f$, v_body);
  end if;
  return privacy.mask_specialised_time(fn, params, value_sql);
exception when invalid_text_representation or numeric_value_out_of_range then
  -- A parameter the general function would fail on at read time: it keeps that behaviour.
  return null;
end
$$;
comment on function privacy.mask_specialised(regprocedure, jsonb, text, regtype) is
  'For the function of a built-in mask (partial, phone, email, generalize of integers and timestamptz, time, pseudonym) and its parameters: the cheapest SQL expression with the same output for value_sql of value_type, or NULL (keep the general call).';

-- See sql/100-strategy-building-blocks.sql: nothing here is for PUBLIC.
revoke execute on function privacy.mask_specialised(regprocedure, jsonb, text, regtype) from public;

-- Admins declare, and may preview the SQL a declaration turns into.
grant execute on function privacy.mask_specialised(regprocedure, jsonb, text, regtype)
  to privacy_admin;
