-- integritet 0006: privacy zones of the location strategies (sql/500–599).
--
-- A privacy zone is a place whose visits must not show in location data: a driver's home, a
-- depot, a clinic. Points inside one are trimmed (sql/520-privacy-zones.sql). The table keeps
-- only the zone as it is enforced: a disk whose radius is the declared one enlarged by a random
-- factor, and whose centre is moved from the declared centre by a random offset, drawn once when
-- the zone is added. The declared disk lies inside it. Trips cut at a known radius around a
-- known kind of centre give the centre away (each cut point constrains it to a circle); cut at an
-- unknown radius around an unknown offset, the cut points show the enforced disk and no more. The
-- declared centre itself (the home) is not stored.

create table privacy.location_zone (
  id                 bigint generated always as identity primary key,
  -- The tenant (privacy.set_tenant) whose reads it trims; NULL: every tenant's.
  tenant             text,
  -- Whose zone it is (e.g. 'device', '42'), so it goes with its subject; NULL: nobody's own.
  subject_type       text,
  subject_id         text,
  -- The declared radius, and the enforced disk: centre and radius as drawn (radius ≥ declared).
  radius_m           double precision not null check (radius_m > 0 and radius_m <= 100000),
  lat                double precision not null check (lat between -90 and 90),
  lon                double precision not null check (lon between -180 and 180),
  effective_radius_m double precision not null,
  -- Metres per degree at the centre (WGS84), for the distance test, and the disk's bounding box
  -- in (lon, lat) for the GiST index that finds the zones near a point.
  metres_per_deg_lat double precision not null check (metres_per_deg_lat > 0),
  metres_per_deg_lon double precision not null check (metres_per_deg_lon > 0),
  bbox               box not null,
  created_at         timestamptz not null default pg_catalog.now(),
  check (effective_radius_m >= radius_m),
  check ((subject_type is null) = (subject_id is null))
);
create index location_zone_bbox_idx on privacy.location_zone using gist (bbox);
create index location_zone_subject_idx on privacy.location_zone (subject_type, subject_id);
revoke all on privacy.location_zone from public;
comment on table privacy.location_zone is
  'Privacy zones (enforced disks: randomised centre and radius); readable by its owner only, used through definer functions.';
