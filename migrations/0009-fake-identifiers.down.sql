-- integritet 0009 down: the counter of unique fake identifiers, and the strategies that draw
-- from it leave the registry. A column rule still naming one makes this fail (foreign key)
-- rather than lose it.

delete from privacy.strategy
where name in ('fake_personnummer', 'fake_samordningsnummer', 'fake_organisationsnummer', 'fake_imei', 'fake_iccid',
               'fake_vin', 'fake_registration_number', 'fake_phone', 'fake_email', 'keep');
drop sequence if exists privacy.fake_draw;
