-- The registered agent that made an application for its applicant (channel `agent`): the
-- applicant sees who made it, and the agent's commission follows its paid bill.
ALTER TABLE applications ADD COLUMN agent TEXT;
CREATE INDEX applications_agent ON applications (agent, created_at) WHERE agent IS NOT NULL;
