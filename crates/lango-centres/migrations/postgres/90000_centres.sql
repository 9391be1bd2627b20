-- Service centres, their offer and counters, closures, mobile visits, appointments and
-- queue tickets. Times are unix milliseconds (UTC); days are East Africa Time dates.
CREATE TABLE centres (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_sw TEXT NOT NULL,
    kind TEXT NOT NULL,
    county TEXT NOT NULL,
    address TEXT NOT NULL,
    lat_e6 BIGINT NOT NULL,
    lon_e6 BIGINT NOT NULL,
    operator TEXT NOT NULL,
    hours TEXT NOT NULL,
    priority_lanes TEXT NOT NULL,
    status TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX centres_county ON centres (county);

CREATE TABLE centre_services (
    centre TEXT NOT NULL REFERENCES centres (code) ON DELETE CASCADE,
    service TEXT NOT NULL,
    daily_cap BIGINT NOT NULL,
    minutes BIGINT NOT NULL,
    letter TEXT NOT NULL,
    PRIMARY KEY (centre, service)
);
CREATE INDEX centre_services_service ON centre_services (service);

CREATE TABLE centre_counters (
    centre TEXT NOT NULL REFERENCES centres (code) ON DELETE CASCADE,
    code TEXT NOT NULL,
    services TEXT NOT NULL,
    PRIMARY KEY (centre, code)
);

-- centre '' closes every centre that day (a public holiday).
CREATE TABLE centre_closures (
    centre TEXT NOT NULL,
    day TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (centre, day)
);

CREATE TABLE centre_visits (
    centre TEXT NOT NULL REFERENCES centres (code) ON DELETE CASCADE,
    day TEXT NOT NULL,
    place TEXT NOT NULL,
    county TEXT NOT NULL,
    opens BIGINT NOT NULL,
    closes BIGINT NOT NULL,
    PRIMARY KEY (centre, day)
);

-- One row per bookable slot, made on first booking: the row is what makes capacity exact.
CREATE TABLE appointment_slots (
    centre TEXT NOT NULL,
    service TEXT NOT NULL,
    start_ms BIGINT NOT NULL,
    capacity BIGINT NOT NULL,
    booked BIGINT NOT NULL,
    PRIMARY KEY (centre, service, start_ms)
);

-- A service's daily cap at a centre, shared by appointments and walk-in tickets.
CREATE TABLE centre_days (
    centre TEXT NOT NULL,
    service TEXT NOT NULL,
    day TEXT NOT NULL,
    cap BIGINT NOT NULL,
    used BIGINT NOT NULL,
    PRIMARY KEY (centre, service, day)
);

CREATE TABLE appointments (
    reference TEXT PRIMARY KEY,
    centre TEXT NOT NULL,
    service TEXT NOT NULL,
    start_ms BIGINT NOT NULL,
    day TEXT NOT NULL,
    id_number TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    account_id TEXT,
    channel TEXT NOT NULL,
    booked_by TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    reminded_at BIGINT
);
CREATE UNIQUE INDEX appointments_one_a_day ON appointments (id_number, service, day)
    WHERE status IN ('booked', 'checked_in');
CREATE INDEX appointments_account ON appointments (account_id);
CREATE INDEX appointments_due ON appointments (status, start_ms);
CREATE INDEX appointments_centre_day ON appointments (centre, day);

CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    centre TEXT NOT NULL,
    day TEXT NOT NULL,
    number TEXT NOT NULL,
    service TEXT NOT NULL,
    lane TEXT NOT NULL,
    priority BIGINT NOT NULL,
    appointment TEXT,
    phone TEXT,
    status TEXT NOT NULL,
    counter TEXT,
    for_counter TEXT,
    channel TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    queued_at BIGINT NOT NULL,
    called_at BIGINT,
    last_called_at BIGINT,
    finished_at BIGINT,
    recalls BIGINT NOT NULL,
    near_told BIGINT NOT NULL,
    UNIQUE (centre, day, number)
);
CREATE INDEX tickets_waiting ON tickets (centre, status, priority, queued_at);
CREATE INDEX tickets_day ON tickets (day, centre);
