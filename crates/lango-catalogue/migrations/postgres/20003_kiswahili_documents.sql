-- The documents a service asks for, in Kiswahili: a JSON array, item for item with
-- `documents` (empty when untranslated). Kiswahili fee labels ride in `fees` itself
-- (an optional `label_sw` on each stored fee), so that column needs no change.
ALTER TABLE services ADD COLUMN documents_sw TEXT NOT NULL DEFAULT '[]';
