-- integritet 0006 down: removes the privacy zones.

drop table privacy.location_zone;
