-- What this database is for, as settings by name. `sample_data` ('demo' or 'test') marks a
-- database whose figures may include synthetic applications and services: `lango demo`
-- writes it, tests and benchmarks that seed write it, and the seed commands refuse any
-- database without it, so synthetic data can never reach a real deployment's figures.
CREATE TABLE database_settings (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL,
    set_at BIGINT NOT NULL
);
