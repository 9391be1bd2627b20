-- Performance contracting: the text each period and contract was saved from (YAML or JSON,
-- comments kept), shown back to the performance office for the next edit.
ALTER TABLE performance_periods ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE performance_contracts ADD COLUMN source TEXT NOT NULL DEFAULT '';
