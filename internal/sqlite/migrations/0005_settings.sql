-- Server-wide settings, one row each, shared by every process over this
-- database: the operator clock first.
CREATE TABLE settings (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
