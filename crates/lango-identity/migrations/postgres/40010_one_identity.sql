-- An identity document number is one identity whatever its type: the same number may not
-- be registered again as another kind of document (a national ID number as a passport or
-- alien ID), which would make two accounts of one person. Staff accounts carry no number.
CREATE UNIQUE INDEX accounts_id_number_once ON accounts (id_number);
