-- integritet: who may use the location strategies (sql/500–599). Re-applied whenever it changes.
--
-- As for the strategy library (sql/199-strategy-grants.sql): every role that reads, writes or
-- sweeps protected data executes the masks and their building blocks, which are pure functions
-- of their arguments, and so do admins. The exceptions are kept narrow:
--   * in_location_zone(s) answer for the caller's tenant: for those who read masked data;
--   * in_location_zone_of answers for any tenant, and the anonymizing functions built on it and
--     on the transaction's noise key are for sweeps: the sweeper only;
--   * zones are declared and listed by admins.
-- PUBLIC gets nothing (each file revokes it as it defines its functions).

grant execute on function
  privacy.geo_metres_per_deg_lat(double precision),
  privacy.geo_metres_per_deg_lon(double precision),
  privacy.geo_grid_lat(double precision, double precision),
  privacy.geo_grid_lon_cell(double precision, double precision),
  privacy.geo_grid_lon(double precision, double precision, double precision),
  privacy.mask_geo_grid(double precision, jsonb),
  privacy.mask_geo_grid(double precision, jsonb, double precision, text),
  privacy.strong_uniform(),
  privacy.lambert_w_m1(double precision),
  privacy.planar_laplace_radius(double precision, double precision),
  privacy.laplace_metres(double precision),
  privacy.geo_offset_lat(double precision, double precision),
  privacy.geo_offset_lon(double precision, double precision, double precision),
  privacy.geo_offset(double precision, double precision, double precision, double precision),
  privacy.geo_noise(double precision, double precision, double precision),
  privacy.mask_geo_noise(double precision, jsonb),
  privacy.mask_geo_noise(double precision, jsonb, double precision, text),
  privacy.mask_geo_trim(double precision, jsonb),
  privacy.mask_geo_trim(double precision, jsonb, double precision, text),
  privacy.anonymize_geo_noise(double precision, jsonb),
  privacy.anonymize_geo_trim(double precision, jsonb),
  privacy.in_location_zone(double precision, double precision),
  privacy.in_location_zones(double precision[], double precision[]),
  privacy.trim_trip(double precision[], double precision[]),
  privacy.location_check_columns(regclass, text[], text),
  privacy.k_anonymity(regclass, text[], text, integer),
  privacy.position_heatmap(regclass, double precision, integer, timestamptz, timestamptz, text, text, text, text)
  to privacy_masked, privacy_unmasked, privacy_view_owner, privacy_sweeper, privacy_admin;

-- Sweeps: one draw per point under the transaction's key, zones of any tenant.
grant execute on function
  privacy.location_noise_key(),
  privacy.geo_noise_keyed(double precision, double precision, double precision),
  privacy.anonymize_geo_noise(double precision, jsonb, double precision, text),
  privacy.in_location_zone_of(double precision, double precision, text),
  privacy.anonymize_geo_trim(double precision, jsonb, double precision, text)
  to privacy_sweeper;

-- Admins declare and list zones, and may preview a location strategy's call.
grant execute on function
  privacy.add_location_zone(double precision, double precision, double precision, text, text, text, double precision),
  privacy.drop_location_zone(bigint),
  privacy.drop_location_zones(text, text),
  privacy.location_zones(),
  privacy.location_call(text, text, jsonb, text, regtype, text)
  to privacy_admin;
