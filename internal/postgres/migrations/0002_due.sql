-- The timed lifecycle reads only what is due. due_at is when a job or
-- cluster next moves on by itself (NULL: only a call will), copied from
-- the record's DueAt; claimed_until is the end of the lease a lifecycle
-- pass holds on it (see Store.ClaimDue), cleared by every put. The rows
-- migrated here have no due_at yet: the service fills them in when it next
-- starts with the timed lifecycle, since due times follow from the timing
-- profile, which the store does not know.
ALTER TABLE jobs ADD COLUMN due_at TIMESTAMPTZ;
ALTER TABLE jobs ADD COLUMN claimed_until TIMESTAMPTZ;
CREATE INDEX jobs_due ON jobs (due_at) WHERE due_at IS NOT NULL;

ALTER TABLE clusters ADD COLUMN due_at TIMESTAMPTZ;
ALTER TABLE clusters ADD COLUMN claimed_until TIMESTAMPTZ;
CREATE INDEX clusters_due ON clusters (due_at) WHERE due_at IS NOT NULL;

-- The dispatcher claims the messages due to its targets: target and
-- next_attempt come out of doc for that.
ALTER TABLE messages ADD COLUMN target TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN next_attempt TIMESTAMPTZ NOT NULL DEFAULT '0001-01-01 00:00:00+00';
ALTER TABLE messages ADD COLUMN claimed_until TIMESTAMPTZ;
UPDATE messages SET target = coalesce(doc::jsonb->>'Target', ''),
	next_attempt = coalesce((doc::jsonb->>'NextAttempt')::timestamptz, '0001-01-01 00:00:00+00');
CREATE INDEX messages_due ON messages (next_attempt) WHERE NOT delivered;
