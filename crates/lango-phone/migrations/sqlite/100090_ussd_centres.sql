-- Menus 4 and 5 of the USSD channel find the queue tickets issued today with the phone
-- that dials (its place in the queue, its rating): by phone and day, not by scanning every
-- ticket of the day at every centre.
CREATE INDEX IF NOT EXISTS tickets_by_phone ON tickets (phone, day);
