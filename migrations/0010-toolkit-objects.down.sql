-- integritet 0010 down: the record of installed objects goes; the next `migrate up` makes it anew.

drop table privacy.toolkit_object;
