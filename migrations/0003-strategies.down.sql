-- integritet 0003 down: removes the pseudonym keys, the fake word lists, custom strategies and
-- write rules, and the registry's columns and check as 0001 made them. A custom strategy or
-- write rule still named by a column rule makes this fail (foreign key) rather than lose it.

drop table privacy.fake_word;
-- The masked views of pseudonym columns read the key's pads from privacy.pseudonym_pad
-- (sql/131-mask-pseudonym.sql), which reads the key table: it becomes a view of no key (NULL
-- pseudonyms, as with no current key) before the table goes, so that no masked view is dropped.
do $pads$
begin
  if pg_catalog.to_regclass('privacy.pseudonym_pad') is not null then
    create or replace view privacy.pseudonym_pad as
      select null::pg_catalog.bytea as inner_pad, null::pg_catalog.bytea as outer_pad where false;
  end if;
end
$pads$;
drop table privacy.pseudonym_key;

delete from privacy.strategy where usable_for = 'write' or function_name is not null;
alter table privacy.strategy drop constraint strategy_usable_for_check;
alter table privacy.strategy add constraint strategy_usable_for_check
  check (usable_for in ('mask', 'anonymize', 'both'));
alter table privacy.strategy drop column function_name;
