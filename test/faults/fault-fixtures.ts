import { readFile } from 'node:fs/promises';
import { migrateUp } from '../../src/migrate/migrator.ts';
import type { PrivateCluster } from '../support/private-cluster.ts';
import { queryOnce } from './twin-state.ts';

// The databases the fault suite copies for each twin: made once, then used as templates.

/**
 * `retention_base`: the toolkit and 200 customers with 40 000 fixes (anonymized after 30 days,
 * customer 3 under a legal hold, a fiscal year that bookkeeping keeps on a fifth of them) and
 * events partitioned by year (deleted after a year: whole old partitions are dropped). Expired
 * rows are 40 to 100 days old and current ones under 7 days, so twins swept minutes apart sweep
 * the same rows. Customer 7 has a quarter of all fixes, so that erasing it takes a while. Each
 * fix counts its writes (fix.writes), so that a row changed twice never looks like its twin.
 */
export async function createRetentionBase(cluster: PrivateCluster): Promise<void> {
  await queryOnce(cluster.url, 'create database retention_base');
  const url = cluster.urlOf('retention_base');
  await migrateUp(url);
  await queryOnce(url, `
    create table public.customer (id bigint primary key, name text not null, email text);
    insert into public.customer select g, 'Customer ' || g, 'c' || g || '@example.com' from generate_series(1, 200) g;
    create table public.fix (id bigint primary key, customer_id bigint not null references public.customer,
                             recorded_at timestamptz not null, lat float8 not null, lon float8 not null,
                             fiscal_year_end date not null, note text, writes integer not null default 0);
    -- How many times each row was written: a row anonymized twice (a resumed sweep that redid
    -- committed batches) differs from its twin even where the strategies are idempotent.
    create function public.count_fix_writes() returns trigger language plpgsql as $f$
      begin new.writes := old.writes + 1; return new; end $f$;
    create trigger count_writes before update on public.fix for each row execute function public.count_fix_writes();
    insert into public.fix
      select g, case when g % 4 = 0 then 7 else 1 + g % 200 end,
             case when g % 3 = 0 then now() - (g % 9000) * interval '1 minute'
                  else now() - interval '40 days' - (g % 80000) * interval '1 minute' end,
             59.000123 + g % 997 / 1000.0, 18.000456 + g % 991 / 1000.0,
             case when g % 5 = 0 then (date_trunc('year', now()) - interval '1 day')::date else '2010-12-31' end,
             'note ' || g
      from generate_series(1, 40000) g;
    create table public.event (id bigint not null, customer_id bigint not null references public.customer,
                               happened_at timestamptz not null, payload text, primary key (id, happened_at))
      partition by range (happened_at);
    create table public.event_2016 partition of public.event for values from ('2016-01-01') to ('2017-01-01');
    create table public.event_2017 partition of public.event for values from ('2017-01-01') to ('2018-01-01');
    create table public.event_2018 partition of public.event for values from ('2018-01-01') to ('2019-01-01');
    create table public.event_now partition of public.event for values from ('2019-01-01') to ('2200-01-01');
    insert into public.event
      select g, case when g % 4 = 0 then 7 else 10 + g % 190 end,
             case when g % 10 = 0 then now() - (g % 5000) * interval '1 minute'
                  else timestamptz '2016-01-01' + (g % 1090) * interval '1 day' end,
             'payload ' || g
      from generate_series(1, 20000) g;
    -- A held customer's events keep the 2017 partition (its other rows go one by one).
    update public.event set customer_id = 3 where id between 100 and 120 and happened_at < '2018-01-01' and happened_at >= '2017-01-01';
    select privacy.declare_subject_type('customer', 'customer', 'id');
    select privacy.classify_column('customer', 'name', 'contact', mask => 'redact', anonymize => 'redact');
    select privacy.classify_column('customer', 'email', 'contact', mask => 'redact', anonymize => 'redact');
    select privacy.link_subject('customer', 'fix', 'customer_id');
    select privacy.classify_column('fix', 'customer_id', 'not_personal');
    select privacy.classify_column('fix', 'writes', 'not_personal');
    select privacy.classify_column('fix', 'lat', 'location', anonymize => 'round', anonymize_params => '{"digits": 2}');
    select privacy.classify_column('fix', 'lon', 'location', anonymize => 'round', anonymize_params => '{"digits": 2}');
    select privacy.classify_column('fix', 'note', 'free_text', anonymize => 'redact');
    select privacy.set_retention('fix', anchor => 'recorded_at', keep => '30 days', action => 'anonymize',
                                 minimum => 'bookkeeping', minimum_anchor => 'fiscal_year_end');
    select privacy.link_subject('customer', 'event', 'customer_id');
    select privacy.classify_column('event', 'customer_id', 'not_personal');
    select privacy.classify_column('event', 'payload', 'free_text', anonymize => 'redact');
    select privacy.set_retention('event', anchor => 'happened_at', keep => '1 year', action => 'delete');
    select privacy.place_hold('customer', '3', 'legal_claim', review_on => current_date + 30);
    create schema boss;`);
}

/** `tracking_base`: the tracking example's schema (no rows) under the toolkit, its policy not yet applied. */
export async function createTrackingBase(cluster: PrivateCluster): Promise<void> {
  await queryOnce(cluster.url, 'create database tracking_base');
  const url = cluster.urlOf('tracking_base');
  await queryOnce(url, await readFile('examples/tracking/schema.sql', 'utf8'));
  await migrateUp(url);
}

/** A fresh database `name` copied from `template` (or empty). */
export async function copyDatabase(cluster: PrivateCluster, name: string, template?: string): Promise<void> {
  await queryOnce(cluster.url, `create database ${name}${template ? ` template ${template}` : ''}`);
}
