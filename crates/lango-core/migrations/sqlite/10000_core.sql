-- Named monotonic counters (e.g. the catalogue revision that search indexes follow).
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
