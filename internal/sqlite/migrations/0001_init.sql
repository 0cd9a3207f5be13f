-- One table per record kind. doc is the record as JSON; the other columns
-- copy the fields the lists filter on, so they can be indexed. seq is the
-- rowid, and AUTOINCREMENT keeps a Seq from ever being handed out twice,
-- even after the row that had it is gone. An index on (a, b) ends with the
-- rowid implicitly, so it also yields its rows in Seq order.

CREATE TABLE addresses (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	id        TEXT NOT NULL UNIQUE,
	account   TEXT NOT NULL,
	partition TEXT NOT NULL,
	doc       TEXT NOT NULL
);
CREATE INDEX addresses_owner ON addresses (account, partition);

CREATE TABLE jobs (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	id         TEXT NOT NULL UNIQUE,
	account    TEXT NOT NULL,
	partition  TEXT NOT NULL,
	cluster_id TEXT NOT NULL,
	master_id  TEXT NOT NULL,
	state      TEXT NOT NULL,
	doc        TEXT NOT NULL
);
CREATE INDEX jobs_owner ON jobs (account, partition);
CREATE INDEX jobs_cluster ON jobs (cluster_id);
CREATE INDEX jobs_master ON jobs (master_id);
-- The lifecycle timer looks for live jobs across all owners; most jobs are
-- final, so index only the others. The query must repeat this WHERE clause
-- for SQLite to use the index.
CREATE INDEX jobs_live ON jobs (seq) WHERE state NOT IN ('Complete', 'Cancelled');

CREATE TABLE clusters (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	id        TEXT NOT NULL UNIQUE,
	account   TEXT NOT NULL,
	partition TEXT NOT NULL,
	doc       TEXT NOT NULL
);
CREATE INDEX clusters_owner ON clusters (account, partition);

CREATE TABLE long_term_pricing (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	id        TEXT NOT NULL UNIQUE,
	account   TEXT NOT NULL,
	partition TEXT NOT NULL,
	doc       TEXT NOT NULL
);
CREATE INDEX long_term_pricing_owner ON long_term_pricing (account, partition);

-- Events have no ID of their own; they are read by the job or cluster they
-- belong to.
CREATE TABLE events (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	resource_id TEXT NOT NULL,
	doc         TEXT NOT NULL
);
CREATE INDEX events_resource ON events (resource_id);
