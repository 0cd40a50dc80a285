-- integritet 0016: the erasure report names the columns it changed and those it left as they were.
--
-- privacy.erase_subject_rows(), erase_subject() and erase_due() return two more columns
-- (`changed text[]`, `unchanged jsonb`), and erasure_anonymize_partly() also returns what it left.
-- A function's result type cannot be replaced in place: the earlier shapes go here, and
-- sql/440-subject-erasure.sql creates the new ones right after (with their grants).

drop function if exists privacy.erase_due(integer);
drop function if exists privacy.erase_subject(text, text, text);
drop function if exists privacy.erase_subject_rows(text, text, bigint);
drop function if exists privacy.erasure_anonymize_partly(jsonb, text, text);
