-- integritet: self-check of personal data nobody protected yet. A fresh install protects
-- nothing, so every other check is silent; this one names the tables that hold personal
-- columns by the catalog (classified personal, or a foreign key to a protected table), by the
-- column's name (the patterns `discover` uses, src/policy/discover/column-name-patterns.ts,
-- kept equal by test/policy/name-patterns-in-sql.test.ts) and by a sample of its values
-- (e-mail addresses, personnummer, phone numbers).
--
--   select * from privacy.verify_unprotected_tables();
--   select privacy.column_kind_by_name('customer_email');     -- 'email'
--
-- needs: 050-protection, 221-verify-bypass

-- What a column's name suggests it holds, checked in order (the first match wins).
create or replace function privacy.column_name_pattern()
returns table (ord integer, pattern text, kind text)
language sql immutable parallel safe
set search_path = pg_catalog, pg_temp
as $$
  values
    (1, '(^|_)(id|uuid|pk)$', 'row_key'),
    (2, '(^|_)e_?mail(_address)?$|(^|_)mail$', 'email'),
    (3, '(^|_)(phone|mobile|mobil|cell|tel|telephone|telefon|msisdn|fax)(_number|_no|nr)?($|_)', 'phone'),
    (4, 'personnummer|(^|_)pnr$|(^|_)ssn$|social_security|national_id|personal_(identity_)?number|person_number', 'personnummer'),
    (5, 'org_?(anisation|anization)?_?(number|nr|no)$|^orgnr$|vat_(number|no)', 'org_number'),
    (6, '(^|_)((first|last|given|family|sur|full|middle|display|driver|contact|billing|customer|user|owner|maiden)_?)?name$', 'person_name'),
    (7, '(^|_)(street|address|addr|address_line_?\d?|billing_address|home_address)$', 'street_address'),
    (8, '(postal_code|postcode|post_code|zip|zip_code|postnummer)$', 'postal_code'),
    (9, '(^|_)(city|town|ort|postort|municipality)$', 'city'),
    (10, '(^|_)ip(_address|_addr)?$|ip_address|remote_addr', 'ip_address'),
    (11, '(^|_)(lat|latitude|lon|lng|long|longitude)$', 'coordinate'),
    (12, 'password|passwd|(^|_)pwd|secret|token|api_key|otp|(^|_)salt$', 'credential'),
    (13, 'birth|(^|_)dob$|born|fodelse', 'birth_date'),
    (14, '(^|_)(note|notes|comment|comments|description|message|remark|remarks|free_text|body|text)$', 'free_text'),
    (15, 'registration_number|reg_no|regnr|license_plate|licence_plate|number_plate', 'vehicle_registration'),
    (16, '(^|_)vin$', 'vin'),
    (17, 'imei|iccid|imsi|mac_address|(^|_)serial(_number)?$|device_identifier', 'device_identifier'),
    (18, 'iban|account_number|card_number|(^|_)pan$|salary|income|payer_reference|bank_account|bankgiro|plusgiro', 'financial'),
    (19, 'health|diagnos|religio|ethnic|trade_union|sexual|biometric|political', 'special'),
    (20, 'last_login|last_seen|last_active|login_at|signed_in_at', 'login_time'),
    (21, '_id$', 'row_key')
$$;
comment on function privacy.column_name_pattern() is
  'The column-name patterns of discover, in order: the first that matches a name says what the column holds.';

-- camelCase words are separated by _ before matching, as discover does (lastLoginIP -> last_login_ip).
create or replace function privacy.column_kind_by_name(column_name text)
returns text
language sql immutable parallel safe
set search_path = pg_catalog, pg_temp
as $$
  select p.kind from privacy.column_name_pattern() p
  where pg_catalog.lower(pg_catalog.regexp_replace(column_name, '([a-z0-9])([A-Z])', '\1_\2', 'g')) ~ p.pattern
  order by p.ord limit 1
$$;
comment on function privacy.column_kind_by_name(text) is
  'What a column''s name suggests it holds (email, phone, person_name …, row_key), or NULL.';

-- Why invoker: privacy.verify() calls it with its definer rights (it samples tables the
-- definer may read); EXECUTE is revoked from PUBLIC, since its evidence names what tables hold.
create or replace function privacy.verify_unprotected_tables()
returns table (severity text, check_name text, object text, message text)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  t record;
  v_evidence text[];
  v_sampled text;
begin
  for t in
    select c.oid, n.nspname, c.relname
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and not c.relispartition
      and not exists (select from pg_catalog.pg_inherits i where i.inhrelid = c.oid)
      and n.nspname not in ('privacy', 'masked', 'pg_catalog', 'information_schema', 'pgboss')
      and n.nspname not like 'pg\_%'
      and not exists (select from pg_catalog.pg_depend e where e.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                        and e.objid = c.oid and e.deptype = 'e')
      and not exists (select from privacy.protected_table p where p.schema_name = n.nspname and p.table_name = c.relname)
    order by n.nspname, c.relname
  loop
    -- The catalog first: a classification, personal or not, outranks any guess.
    select pg_catalog.array_agg(pg_catalog.format('%I (%s)', a.attname,
             coalesce(case when k.personal then 'classified ' || r.category end,
                      pg_catalog.replace(privacy.column_kind_by_name(a.attname), '_', ' ') || ' by its name'))
             order by a.attnum)
      into v_evidence
    from pg_catalog.pg_attribute a
    left join privacy.column_rule r on r.schema_name = t.nspname and r.table_name = t.relname and r.column_name = a.attname
    left join privacy.category k on k.name = r.category
    where a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped
      and (k.personal or (r.column_name is null and privacy.column_kind_by_name(a.attname) <> 'row_key'));

    -- A foreign key (of the table or of one of its partitions) to a protected table names a row
    -- of it: a payment or a rental of a customer is personal data even with no personal column.
    v_evidence := v_evidence || array(
      select distinct pg_catalog.format('%I (refers to protected table %s)', a.attname, k.confrelid::pg_catalog.regclass)
      from pg_catalog.pg_constraint k
      join pg_catalog.pg_attribute a on a.attrelid = k.conrelid and a.attnum = k.conkey[1]
      where k.contype = 'f'
        and (k.conrelid = t.oid or k.conrelid in (select i.inhrelid from pg_catalog.pg_inherits i where i.inhparent = t.oid))
        and k.confrelid in (select r.relid from privacy.protected_relation() r)
        and not exists (select from privacy.column_rule r where r.schema_name = t.nspname and r.table_name = t.relname
                          and r.column_name = a.attname));

    -- Then the values of the text columns nobody classified: a sample of up to 100 rows.
    select pg_catalog.string_agg(pg_catalog.format(
             'select %L as col, pg_catalog.count(*) filter (where v ~ ''^[^@[:space:]]+@[^@[:space:]]+\.[[:alpha:]]{2,}$'') as email, '
             'pg_catalog.count(*) filter (where v ~ ''^(19|20)?[0-9]{6}[-+]?[0-9]{4}$'') as personnummer, '
             'pg_catalog.count(*) filter (where v ~ ''^\+?[0-9][0-9 ()-]{6,}[0-9]$'') as phone, pg_catalog.count(v) as n '
             'from (select %I::text as v from %I.%I limit 100) s', a.attname, a.attname, t.nspname, t.relname), ' union all ')
      into v_sampled
    from pg_catalog.pg_attribute a
    where a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped
      and a.atttypid in ('pg_catalog.text'::pg_catalog.regtype, 'pg_catalog.varchar'::pg_catalog.regtype, 'pg_catalog.bpchar'::pg_catalog.regtype)
      and not exists (select from privacy.column_rule r where r.schema_name = t.nspname and r.table_name = t.relname
                        and r.column_name = a.attname)
      and coalesce(privacy.column_kind_by_name(a.attname), 'row_key') = 'row_key';
    if v_sampled is not null and pg_catalog.has_table_privilege(t.oid, 'SELECT') then
      execute 'select pg_catalog.array_agg(pg_catalog.format(''%I (%s in %s sampled values)'', s.col, '
              'case when s.email * 2 >= s.n then ''e-mail addresses'' when s.personnummer * 2 >= s.n then ''personnummer'' '
              'else ''phone numbers'' end, s.n)) from (' || v_sampled || ') s '
              'where s.n > 0 and greatest(s.email, s.personnummer, s.phone) * 2 >= s.n'
        into v_sampled;
      v_evidence := v_evidence || v_sampled::text[];
    end if;

    if pg_catalog.cardinality(v_evidence) > 0 then
      severity := 'medium';
      check_name := 'unprotected_personal_table';
      object := pg_catalog.format('%I.%I', t.nspname, t.relname);
      message := pg_catalog.format('holds personal columns (%s) that every role with a grant reads raw, of every tenant: '
                                   'classify its columns and protect it, select privacy.protect_table(%L, tenant_column => ...), '
                                   'or classify them not_personal where they are not',
                                   pg_catalog.array_to_string(v_evidence, ', '), pg_catalog.format('%I.%I', t.nspname, t.relname));
      return next;
    end if;
  end loop;
end
$$;
comment on function privacy.verify_unprotected_tables() is
  'Findings: tables not protected that hold personal columns, by classification, column name or sampled values.';

revoke execute on function privacy.column_name_pattern(), privacy.column_kind_by_name(text),
  privacy.verify_unprotected_tables() from public;
