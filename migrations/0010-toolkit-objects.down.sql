-- integritet 0010 down: the record of installed objects goes (the next `migrate up` makes it
-- anew), and so do the OIDs by which protected tables are followed through renames.

alter table privacy.enforcement drop column relid, drop column column_names;
drop table privacy.toolkit_object;
