-- The schema of internal/sqlite after its migrations 0001 to 0007, in one
-- step: this store started at that state.
--
-- One table per record kind. doc is the record as JSON text, byte for byte
-- what encoding/json wrote (TEXT, not JSONB: nothing queries inside it, and
-- TEXT takes every string JSON can carry, \u0000 included, without parsing
-- it again on every write). The other columns copy the fields the lists
-- filter on, so they can be indexed. seq is an identity column: a sequence
-- never hands a number out twice, even after the row that had it is gone
-- or its transaction rolled back.

CREATE TABLE addresses (
	seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id        TEXT NOT NULL UNIQUE,
	account   TEXT NOT NULL,
	partition TEXT NOT NULL,
	doc       TEXT NOT NULL
);
-- An index on (account, partition, seq) yields one owner's rows in Seq
-- order, which every list wants.
CREATE INDEX addresses_owner ON addresses (account, partition, seq);

CREATE TABLE jobs (
	seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	account    TEXT NOT NULL,
	partition  TEXT NOT NULL,
	cluster_id TEXT NOT NULL,
	master_id  TEXT NOT NULL,
	state      TEXT NOT NULL,
	doc        TEXT NOT NULL
);
CREATE INDEX jobs_owner ON jobs (account, partition, seq);
CREATE INDEX jobs_cluster ON jobs (cluster_id, seq);
CREATE INDEX jobs_master ON jobs (master_id, seq);
-- The metrics count jobs by state at every scrape.
CREATE INDEX jobs_state ON jobs (state);
-- The lifecycle timer looks for live jobs across all owners; most jobs are
-- final, so index only the others. The query repeats this WHERE clause so
-- that the planner can use the index.
CREATE INDEX jobs_live ON jobs (seq) WHERE state NOT IN ('Complete', 'Cancelled');

CREATE TABLE clusters (
	seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id        TEXT NOT NULL UNIQUE,
	account   TEXT NOT NULL,
	partition TEXT NOT NULL,
	state     TEXT NOT NULL,
	doc       TEXT NOT NULL
);
CREATE INDEX clusters_owner ON clusters (account, partition, seq);

CREATE TABLE long_term_pricing (
	seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id        TEXT NOT NULL UNIQUE,
	account   TEXT NOT NULL,
	partition TEXT NOT NULL,
	doc       TEXT NOT NULL
);
CREATE INDEX long_term_pricing_owner ON long_term_pricing (account, partition, seq);

-- Events have no ID of their own; they are read by the job or cluster they
-- belong to.
CREATE TABLE events (
	seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	resource_id TEXT NOT NULL,
	doc         TEXT NOT NULL
);
CREATE INDEX events_resource ON events (resource_id, seq);

-- The notification outbox. A message is written in the same transaction as
-- the transition it announces and stays, marked delivered, once sent; the
-- dispatcher reads only the pending ones. account says whose job it
-- announces, so that a reset of one account deletes its messages.
CREATE TABLE messages (
	seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id        TEXT NOT NULL UNIQUE,
	delivered BOOLEAN NOT NULL,
	account   TEXT NOT NULL,
	doc       TEXT NOT NULL
);
CREATE INDEX messages_pending ON messages (seq) WHERE NOT delivered;
CREATE INDEX messages_account ON messages (account);

-- A job's manifest is sealed once (scrypt makes that costly) and then
-- served as stored, so that every download, on every replica, is the same
-- file. It lives beside the job rather than in its doc, which the lists
-- read whole.
CREATE TABLE sealed_manifests (
	job_id TEXT PRIMARY KEY,
	sealed BYTEA NOT NULL
);

-- Server-wide settings, one row each, shared by every replica: the
-- operator clock first.
CREATE TABLE settings (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

-- The operator's faults (internal/faults), shared by every replica. hits
-- is a column of its own, outside doc, so that one statement can count a
-- hit and check the fault's count at once; count is copied out of doc for
-- that statement (0: no limit).
CREATE TABLE faults (
	seq   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id    TEXT NOT NULL UNIQUE,
	count BIGINT NOT NULL,
	hits  BIGINT NOT NULL,
	doc   TEXT NOT NULL
);

-- The catalogues of ListPickupLocations, ListCompatibleImages and
-- ListServiceVersions, shared by every replica. Each is a list replaced
-- whole; seq keeps the order it was put.
CREATE TABLE catalogue_entries (
	seq       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	catalogue TEXT NOT NULL,
	doc       TEXT NOT NULL
);
CREATE INDEX catalogue_entries_catalogue ON catalogue_entries (catalogue, seq);
