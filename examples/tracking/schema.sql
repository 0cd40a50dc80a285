-- integritet reference schema: a vehicle/GPS tracking SaaS.
--
-- The tenant is the SaaS's customer. Every table but `customer` carries `customer_id`, and child
-- tables reference their parent by (customer_id, id), so a row can never point at another tenant's
-- vehicle, device or invoice. Load into an empty database: psql -v ON_ERROR_STOP=1 -f schema.sql

create table customer (
  id             bigint generated always as identity primary key,
  kind           text not null check (kind in ('company', 'consumer')),
  name           text not null,
  org_number     text not null unique check (org_number ~ '^[0-9]{6}-[0-9]{4}$'),
  phone          text,
  email          text,
  street         text,
  postal_code    text,
  city           text,
  country        text not null default 'SE',
  contract_start date not null,
  contract_end   date,
  created_at     timestamptz not null default now(),
  check (contract_end is null or contract_end >= contract_start)
);
comment on table customer is 'The SaaS''s customers (the tenants): companies, and consumers identified by personnummer.';
comment on column customer.kind is 'consumer matters for debt law: claims on consumers are time-barred after 3 years, not 10.';
comment on column customer.org_number is 'Organisationsnummer for companies, personnummer for consumers; both end in a Luhn check digit.';
comment on column customer.contract_end is 'Null while the contract is active.';

create table contact_person (
  id          bigint generated always as identity primary key,
  customer_id bigint not null references customer,
  first_name  text not null,
  last_name   text not null,
  email       text,
  phone       text,
  title       text,
  created_at  timestamptz not null default now(),
  ended_at    timestamptz
);
comment on column contact_person.ended_at is 'When the person stopped acting for the customer; null while they do.';
comment on table contact_person is 'People the SaaS talks to at each customer: name, e-mail, phone and role.';
create index on contact_person (customer_id);

create table admin_user (
  id            bigint generated always as identity primary key,
  customer_id   bigint not null references customer,
  email         text not null unique,
  full_name     text not null,
  password_hash text not null,
  last_login_at timestamptz,
  last_login_ip inet,
  created_at    timestamptz not null default now()
);
comment on table admin_user is 'The customers'' logins to the web app, with their last sign-in time and IP address.';
create index on admin_user (customer_id);

create table invoice (
  id              bigint generated always as identity primary key,
  customer_id     bigint not null references customer,
  number          text not null unique,
  issued_on       date not null,
  due_on          date not null,
  fiscal_year_end date not null,
  amount_sek      numeric(12, 2) not null,
  vat_sek         numeric(12, 2) not null,
  status          text not null check (status in ('open', 'paid', 'overdue', 'written_off')),
  billing_name    text not null,
  billing_address text not null,
  check (due_on >= issued_on),
  -- Target of the tenant-consistent foreign key from payment; also serves as the customer_id index.
  unique (customer_id, id)
);
comment on table invoice is 'Monthly invoices to customers, with the name and address as printed (bookkeeping records).';
comment on column invoice.fiscal_year_end is 'End of the seller''s fiscal year the invoice belongs to; Bokföringslagen keeps records to the end of the 7th calendar year after it.';
comment on column invoice.amount_sek is 'Amount excluding VAT.';

create table payment (
  id              bigint generated always as identity primary key,
  customer_id     bigint not null references customer,
  invoice_id      bigint not null,
  paid_at         timestamptz not null,
  amount_sek      numeric(12, 2) not null check (amount_sek > 0),
  method          text not null check (method in ('card', 'bankgiro', 'swish', 'autogiro')),
  payer_reference text,
  created_at      timestamptz not null default now(),
  foreign key (customer_id, invoice_id) references invoice (customer_id, id)
);
comment on table payment is 'Payments received against invoices, with a payer reference (masked card, payer phone, bankgiro or autogiro payer number).';
create index on payment (customer_id, invoice_id);
create index on payment (invoice_id);

create table vehicle (
  id                  bigint generated always as identity primary key,
  customer_id         bigint not null references customer,
  registration_number text not null check (registration_number ~ '^[A-Z]{3}[0-9]{2}[0-9A-Z]$'),
  vin                 text check (vin ~ '^[A-HJ-NPR-Z0-9]{17}$'),
  make                text,
  model               text,
  driver_name         text,
  notes               text,
  created_at          timestamptz not null default now(),
  removed_at          timestamptz,
  -- Target of the tenant-consistent foreign keys from device and trip; also the customer_id index.
  unique (customer_id, id)
);
comment on table vehicle is 'Customers'' vehicles: registration number, VIN, regular driver and free-text notes.';
comment on column vehicle.removed_at is 'When the vehicle left the customer''s fleet; null while it is in it.';
comment on column vehicle.notes is 'Free text typed by users; may contain phone numbers, e-mail addresses or names.';

create table device (
  id           bigint generated always as identity primary key,
  customer_id  bigint not null references customer,
  vehicle_id   bigint,
  imei         text not null unique check (imei ~ '^[0-9]{15}$'),
  serial       text not null unique,
  sim_iccid    text unique,
  phone_number text,
  installed_at timestamptz not null,
  removed_at   timestamptz,
  check (removed_at is null or removed_at >= installed_at),
  foreign key (customer_id, vehicle_id) references vehicle (customer_id, id),
  unique (customer_id, id)
);
comment on table device is 'GPS trackers: IMEI, SIM card, the vehicle they are (or were) fitted to, and when.';
comment on column device.vehicle_id is 'Null when the tracker is not fitted to any vehicle (in stock or returned).';
create index on device (vehicle_id);
-- A vehicle carries at most one tracker at a time; removed trackers keep their vehicle as history.
create unique index device_one_installed_per_vehicle on device (vehicle_id) where removed_at is null;

create table position (
  id          bigint generated always as identity,
  customer_id bigint not null references customer,
  device_id   bigint not null,
  recorded_at timestamptz not null,
  lat         double precision not null check (lat between -90 and 90),
  lon         double precision not null check (lon between -180 and 180),
  speed_kmh   real,
  heading     smallint check (heading between 0 and 359),
  ignition    boolean,
  primary key (id, recorded_at),
  foreign key (customer_id, device_id) references device (customer_id, id)
) partition by range (recorded_at);
comment on table position is 'GPS fixes reported by the trackers, one partition per calendar month (UTC).';
create index on position (device_id, recorded_at);
create index on position (customer_id, recorded_at);
create table position_default partition of position default;
comment on table position_default is 'GPS fixes outside every monthly partition; normally empty.';

create table trip (
  id          bigint generated always as identity primary key,
  customer_id bigint not null references customer,
  vehicle_id  bigint not null,
  device_id   bigint not null,
  driver_name text,
  started_at  timestamptz not null,
  ended_at    timestamptz not null,
  start_lat   double precision,
  start_lon   double precision,
  end_lat     double precision,
  end_lon     double precision,
  distance_km numeric(9, 2),
  purpose     text not null check (purpose in ('business', 'private')),
  check (ended_at >= started_at),
  foreign key (customer_id, vehicle_id) references vehicle (customer_id, id),
  foreign key (customer_id, device_id) references device (customer_id, id)
);
comment on table trip is 'Trips derived from positions (the driver''s log): who drove which vehicle, from where to where, business or private.';
create index on trip (customer_id, started_at);
create index on trip (vehicle_id, started_at);
create index on trip (device_id, started_at);

-- Creates the missing monthly partitions of position for every month from from_month to to_month
-- (both inclusive; any day of the month will do). Month boundaries are UTC so the partitioning does
-- not depend on the session's TimeZone. Rows already caught by the default partition for such a
-- month are moved into the new partition, because PostgreSQL refuses to create a partition whose
-- range the default partition already holds rows for. Returns the number of partitions created.
create function public.tracking_ensure_position_partitions(from_month date, to_month date)
returns integer
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  month_start    date := pg_catalog.date_trunc('month', from_month)::date;
  last_month     date := pg_catalog.date_trunc('month', to_month)::date;
  lower_at       timestamptz;
  upper_at       timestamptz;
  partition_name text;
  created        integer := 0;
begin
  while month_start <= last_month loop
    partition_name := pg_catalog.format('position_y%sm%s',
                                        pg_catalog.to_char(month_start, 'YYYY'), pg_catalog.to_char(month_start, 'MM'));
    lower_at := month_start::timestamp at time zone 'UTC';
    upper_at := (month_start + interval '1 month')::timestamp at time zone 'UTC';
    if pg_catalog.to_regclass(pg_catalog.format('public.%I', partition_name)) is null then
      if exists (select from public.position_default where recorded_at >= lower_at and recorded_at < upper_at) then
        alter table public.position detach partition public.position_default;
        execute pg_catalog.format('create table public.%I partition of public.position for values from (%L) to (%L)',
                                  partition_name, lower_at, upper_at);
        insert into public.position overriding system value
          select * from public.position_default where recorded_at >= lower_at and recorded_at < upper_at;
        delete from public.position_default where recorded_at >= lower_at and recorded_at < upper_at;
        alter table public.position attach partition public.position_default default;
      else
        execute pg_catalog.format('create table public.%I partition of public.position for values from (%L) to (%L)',
                                  partition_name, lower_at, upper_at);
      end if;
      execute pg_catalog.format('comment on table public.%I is %L', partition_name,
                                'GPS fixes recorded in ' || pg_catalog.to_char(month_start, 'YYYY-MM') || ' (UTC).');
      created := created + 1;
    end if;
    month_start := (month_start + interval '1 month')::date;
  end loop;
  return created;
end
$$;
comment on function public.tracking_ensure_position_partitions(date, date) is
  'Creates the missing monthly (UTC) partitions of position from from_month to to_month inclusive; returns how many it created.';
