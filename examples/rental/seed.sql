-- integritet second reference schema: deterministic invented data for schema.sql.
-- 2 stores, 4 staff, 60 customers (customer 60 shares its address with customer 59), 30 films,
-- 120 copies, 480 rentals from January to June 2026 with a payment each, reviews for every
-- fourth rental, 2 mailing lists per store. Every value is made up; the same on every machine.

insert into country (country) values ('Sverige'), ('Norge');
insert into city (city, country_id) values ('Göteborg', 1), ('Malmö', 1), ('Oslo', 2);

-- Addresses 1-2 are the stores', 3-6 the staff's, 7-65 the customers'.
insert into address (address, district, city_id, postal_code, phone)
select pg_catalog.format('%s %s', (array['Storgatan', 'Kungsgatan', 'Drottninggatan', 'Vasagatan', 'Linnégatan'])[1 + i % 5], i),
       (array['Centrum', 'Väster', 'Öster'])[1 + i % 3],
       1 + i % 3,
       pg_catalog.lpad((41100 + i * 7)::text, 5, '0'),
       pg_catalog.format('070-%s %s %s', 100 + i, pg_catalog.lpad((i * 13 % 100)::text, 2, '0'), pg_catalog.lpad((i * 29 % 100)::text, 2, '0'))
from generate_series(1, 65) i;

begin;
set constraints all deferred;
insert into store (store_id, manager_staff_id, address_id) values (1, 1, 1), (2, 2, 2);
insert into staff (first_name, last_name, address_id, email, store_id, username, password)
select (array['Mikael', 'Sofia', 'Johan', 'Elin'])[i], (array['Hillyer', 'Stephens', 'Lund', 'Berg'])[i],
       2 + i, pg_catalog.format('staff%s@rental.example', i), 1 + (i - 1) % 2,
       pg_catalog.format('staff%s', i), pg_catalog.md5('secret' || i)
from generate_series(1, 4) i;
commit;
do $$ begin perform pg_catalog.setval('store_store_id_seq', 2); end $$;

insert into customer (store_id, first_name, last_name, email, personnummer, address_id, activebool, create_date)
select 1 + i % 2,
       (array['Anna', 'Erik', 'Maria', 'Lars', 'Karin', 'Nils', 'Eva', 'Olof', 'Ingrid', 'Per'])[1 + i % 10],
       (array['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson'])[1 + i % 6],
       pg_catalog.format('kund%s@mail.example', i),
       pg_catalog.format('19%s%s%s-%s', 50 + i % 50, pg_catalog.lpad((1 + i % 12)::text, 2, '0'),
                         pg_catalog.lpad((1 + i % 28)::text, 2, '0'), pg_catalog.lpad((1000 + i * 37 % 9000)::text, 4, '0')),
       case when i = 60 then 65 else 6 + i end,
       i % 9 <> 0,
       date '2025-01-01' + i * 5
from generate_series(1, 60) i;

insert into film (title, description, release_year)
select pg_catalog.format('Film %s', i), pg_catalog.format('A story in %s acts', 1 + i % 4), 1990 + i
from generate_series(1, 30) i;

insert into inventory (film_id, store_id)
select 1 + i % 30, 1 + i % 2 from generate_series(1, 120) i;

-- Rentals: customer c rents copies of its own store, eight times over the half year.
insert into rental (rental_date, inventory_id, customer_id, return_date, staff_id)
select ts, inv, c, case when n % 7 = 0 then null else ts + interval '3 days' end, 1 + (c % 2)
from (
  select c, n, timestamptz '2026-01-02 10:00+00' + ((c * 3 + n * 22) % 178) * interval '1 day' as ts,
         2 - c % 2 + 2 * ((c + n) % 60) as inv
  from generate_series(1, 60) c, generate_series(1, 8) n
) r
order by ts, c;

insert into payment (customer_id, staff_id, rental_id, amount, payment_date)
select r.customer_id, r.staff_id, r.rental_id, 2.99 + (r.rental_id % 5), r.rental_date + interval '1 hour'
from rental r;

insert into film_review (rental_id, stars, body, posted_at)
select r.rental_id, 1 + r.rental_id % 5,
       pg_catalog.format('Loved it, call me on 070-%s 11 22 to talk about it', 100 + r.customer_id),
       r.rental_date + interval '4 days'
from rental r where r.rental_id % 4 = 0;

insert into mailing_list (store_id, name)
values (1, 'Nyheter'), (1, 'Erbjudanden'), (2, 'Nyheter'), (2, 'Erbjudanden');
insert into customer_mailing_list (customer_id, list_id)
select c.customer_id, l.list_id
from customer c join mailing_list l on l.store_id = c.store_id
where (c.customer_id + l.list_id) % 3 <> 0;

refresh materialized view customer_spend;
analyze;
