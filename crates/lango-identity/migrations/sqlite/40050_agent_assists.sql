-- An agent acting for a person who is present, with their consent: the same kind of
-- assistance as at a centre's counter, held by the agent's code instead of a counter's
-- (centre and counter are then empty).
ALTER TABLE assists ADD COLUMN agent TEXT;
