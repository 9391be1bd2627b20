-- The platform has one root key, which signs the trust list and which verifiers pin: two
-- nodes starting at once must not make two.
CREATE UNIQUE INDEX document_keys_one_root ON document_keys (agency) WHERE agency = '';
