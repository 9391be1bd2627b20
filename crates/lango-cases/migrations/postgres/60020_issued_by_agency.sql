-- Documents an agency's own system signs through Lango (POST /api/v1/documents) belong to
-- no application: the row keeps its agency, and the holder's account when the ID number
-- given names one (so the document is in their wallet too).
ALTER TABLE issued ADD COLUMN agency TEXT;
ALTER TABLE issued ADD COLUMN holder_account TEXT;
UPDATE issued SET agency = (SELECT a.agency FROM applications a WHERE a.id = issued.application_id);
CREATE INDEX issued_holder_account ON issued (holder_account);
