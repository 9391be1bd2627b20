-- One ID number, one identity (40010's unique index on id_number): the older unique index
-- on (id_kind, id_number) guards nothing more, and every account write paid for it.
DROP INDEX accounts_document;
