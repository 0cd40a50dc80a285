-- integritet 0003 down: removes the pseudonym keys, the fake word lists, custom strategies and
-- write rules, and the registry's columns and check as 0001 made them. A custom strategy or
-- write rule still named by a column rule makes this fail (foreign key) rather than lose it.

drop table privacy.fake_word;
drop table privacy.pseudonym_key;

delete from privacy.strategy where usable_for = 'write' or function_name is not null;
alter table privacy.strategy drop constraint strategy_usable_for_check;
alter table privacy.strategy add constraint strategy_usable_for_check
  check (usable_for in ('mask', 'anonymize', 'both'));
alter table privacy.strategy drop column function_name;
