-- The signed QR text of an issued document (lango-documents), for the holder's wallet and
-- the verify pages; empty for documents issued before signing existed or attached by an
-- agency's own system.
ALTER TABLE issued ADD COLUMN qr TEXT NOT NULL DEFAULT '';
