-- integritet 0009: the counter behind fake identifiers that must be unique (sql/152–155).
--
-- A strategy asked for unique values (unique => true) numbers its draws with this sequence and
-- maps each number to an identifier by a permutation of the identifier's space: two draws never
-- give the same identifier (until the space is used up). The numbers say only in which order
-- values were drawn, nothing about the person whose value was replaced.

create sequence privacy.fake_draw as bigint;
comment on sequence privacy.fake_draw is 'Numbers the draws of fake identifiers asked to be unique (internal).';
grant usage on sequence privacy.fake_draw to privacy_sweeper, privacy_admin;
