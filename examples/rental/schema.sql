-- integritet second reference schema: a film-rental chain, in the shape of the public sample
-- databases people load to try a tool (stores, staff, customers with addresses, inventory,
-- rentals, payments partitioned by month), as a team would have it BEFORE anyone protected it.
--
-- What makes it hard, on purpose (each is something real schemas do):
--   * the tenant (the store) is a column of some tables only: rental reaches it one join away
--     (customer), film_review two joins away (rental -> customer);
--   * a customer's street and phone live in `address`, which the customer row references
--     (the link points away from the subject), and mailing lists are a many-to-many join table;
--   * payments are partitioned by month, partitions attached later, foreign keys on some of
--     them only (as pg_dump output of older releases has them), and one partition was loaded
--     through a staging table that was granted to PUBLIC;
--   * reporting views and a materialized view owned by the owner and readable by the app, and a
--     SECURITY DEFINER report function with no pinned search_path;
--   * sequences not OWNED BY the columns that use them, and an identity GENERATED ALWAYS;
--   * the application's role has the grants applications usually get: all tables, all
--     sequences, default privileges for tables made later.
--
-- Load into a database: psql -v ON_ERROR_STOP=1 -f schema.sql -f seed.sql
-- The application's group role `rental_app` (NOLOGIN, cluster-wide) is created if missing and
-- never dropped here; application logins are made members of it.

do $$
begin
  create role rental_app nologin;
exception when duplicate_object or unique_violation then
  null; -- another database of the cluster made it first
end
$$;

create table country (
  country_id  serial primary key,
  country     text not null,
  last_update timestamptz not null default now()
);

create table city (
  city_id     serial primary key,
  city        text not null,
  country_id  integer not null references country,
  last_update timestamptz not null default now()
);

create table address (
  address_id  serial primary key,
  address     text not null,
  address2    text,
  district    text not null,
  city_id     integer not null references city,
  postal_code text,
  phone       text not null,
  last_update timestamptz not null default now()
);
comment on table address is 'Street addresses of customers, staff and stores; one row may serve several people.';

-- Sequences made apart from the columns that use them (no OWNED BY), as older dumps have them.
create sequence staff_staff_id_seq;
create sequence customer_customer_id_seq;
create sequence payment_payment_id_seq;

create table store (
  store_id         serial primary key,
  manager_staff_id integer,
  address_id       integer not null references address,
  last_update      timestamptz not null default now()
);
comment on table store is 'The chain''s stores: the tenant of the application.';

create table staff (
  staff_id    integer primary key default nextval('staff_staff_id_seq'),
  first_name  text not null,
  last_name   text not null,
  address_id  integer not null references address,
  email       text,
  store_id    integer not null references store,
  active      boolean not null default true,
  username    text not null,
  password    text,
  last_update timestamptz not null default now()
);
alter table store add foreign key (manager_staff_id) references staff deferrable initially deferred;

create table customer (
  customer_id  integer primary key default nextval('customer_customer_id_seq'),
  store_id     integer not null references store,
  first_name   text not null,
  last_name    text not null,
  email        text,
  personnummer text check (personnummer ~ '^[0-9]{8}-[0-9]{4}$'),
  address_id   integer not null references address,
  activebool   boolean not null default true,
  create_date  date not null default current_date,
  last_update  timestamptz not null default now(),
  unique (store_id, personnummer)
);
create index on customer (store_id);
create index on customer (address_id);

create table film (
  film_id      serial primary key,
  title        text not null,
  description  text,
  release_year integer,
  rental_rate  numeric(4, 2) not null default 4.99,
  last_update  timestamptz not null default now()
);
comment on table film is 'The catalogue: shared by every store, nothing personal.';

create table inventory (
  inventory_id serial primary key,
  film_id      integer not null references film,
  store_id     integer not null references store,
  last_update  timestamptz not null default now()
);
create index on inventory (store_id);

create table rental (
  rental_id    integer generated always as identity primary key,
  rental_date  timestamptz not null,
  inventory_id integer not null references inventory,
  customer_id  integer not null references customer,
  return_date  timestamptz,
  staff_id     integer not null references staff,
  last_update  timestamptz not null default now(),
  check (return_date is null or return_date >= rental_date)
);
comment on table rental is 'Who rented what when: the store is reached through the customer.';
create index on rental (customer_id);

create table film_review (
  review_id serial primary key,
  rental_id integer not null references rental,
  stars     integer not null check (stars between 1 and 5),
  body      text,
  posted_at timestamptz not null default now()
);
comment on table film_review is 'Free-text reviews written after a rental: the store is two joins away.';
create index on film_review (rental_id);

create table mailing_list (
  list_id  serial primary key,
  store_id integer not null references store,
  name     text not null
);

create table customer_mailing_list (
  customer_id integer not null references customer,
  list_id     integer not null references mailing_list,
  joined_at   timestamptz not null default now(),
  primary key (customer_id, list_id)
);
comment on table customer_mailing_list is 'Which customers receive which mailing list (many-to-many).';

-- Payments by month. The parent has no foreign keys; some partitions do (as in dumps of old
-- releases), and later partitions were attached without them.
create table payment (
  payment_id   integer not null default nextval('payment_payment_id_seq'),
  customer_id  integer not null,
  staff_id     integer not null,
  rental_id    integer,
  amount       numeric(5, 2) not null check (amount >= 0),
  payment_date timestamptz not null,
  primary key (payment_date, payment_id)
) partition by range (payment_date);
create index on payment (customer_id);

create table payment_p2026_01 partition of payment
  for values from ('2026-01-01') to ('2026-02-01');
create table payment_p2026_02 partition of payment
  for values from ('2026-02-01') to ('2026-03-01');
alter table payment_p2026_01 add foreign key (customer_id) references customer;
alter table payment_p2026_01 add foreign key (staff_id) references staff;
alter table payment_p2026_02 add foreign key (customer_id) references customer;

-- Attached later, from tables made on their own.
create table payment_p2026_03 (like payment including defaults including constraints);
alter table payment attach partition payment_p2026_03 for values from ('2026-03-01') to ('2026-04-01');
create table payment_p2026_04 (like payment including defaults including constraints);
alter table payment attach partition payment_p2026_04 for values from ('2026-04-01') to ('2026-05-01');

-- A month loaded through a staging table that someone granted to everybody, then attached.
create table payment_p2026_05 (like payment including defaults including constraints);
grant select on payment_p2026_05 to public;
alter table payment attach partition payment_p2026_05 for values from ('2026-05-01') to ('2026-06-01');

create table payment_p2026_06 partition of payment
  for values from ('2026-06-01') to ('2026-07-01');

-- Reporting views, owned by the schema's owner (so they read with the owner's rights).
create view customer_list as
select cu.customer_id as id,
       cu.first_name || ' ' || cu.last_name as name,
       a.address, a.postal_code as zip_code, a.phone, ci.city, co.country,
       case when cu.activebool then 'active' else '' end as notes,
       cu.store_id as sid
from customer cu
join address a on a.address_id = cu.address_id
join city ci on ci.city_id = a.city_id
join country co on co.country_id = ci.country_id;
comment on view customer_list is 'Customers with their address, for the front desk.';

create view staff_list as
select s.staff_id as id, s.first_name || ' ' || s.last_name as name,
       a.address, a.postal_code as zip_code, a.phone, ci.city, s.store_id as sid
from staff s
join address a on a.address_id = s.address_id
join city ci on ci.city_id = a.city_id;

create view sales_by_store as
select s.store_id, ci.city, sum(p.amount) as total_sales
from payment p
join rental r on r.rental_id = p.rental_id
join inventory i on i.inventory_id = r.inventory_id
join store s on s.store_id = i.store_id
join address a on a.address_id = s.address_id
join city ci on ci.city_id = a.city_id
group by s.store_id, ci.city;

create materialized view customer_spend as
select cu.customer_id, cu.first_name, cu.last_name, cu.email, cu.store_id,
       coalesce(sum(p.amount), 0) as total
from customer cu left join payment p on p.customer_id = cu.customer_id
group by cu.customer_id;

-- A report function as reporting tools install them: definer rights, no pinned search_path.
create function rewards_report(min_monthly_purchases integer, min_dollar_amount_purchased numeric)
returns setof customer
language plpgsql security definer
as $$
begin
  return query
  select c.* from customer c
  where c.customer_id in (
    select p.customer_id from payment p
    group by p.customer_id
    having count(*) >= min_monthly_purchases and sum(p.amount) >= min_dollar_amount_purchased);
end
$$;

-- What applications usually get.
grant usage on schema public to rental_app;
grant select, insert, update, delete on all tables in schema public to rental_app;
grant usage, select on all sequences in schema public to rental_app;
alter default privileges in schema public grant select, insert, update, delete on tables to rental_app;
grant select on customer_list, staff_list to public;
