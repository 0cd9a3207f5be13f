-- The notification outbox. A message is written in the same transaction as
-- the transition it announces and stays, marked delivered, once sent; the
-- dispatcher reads only the pending ones.
CREATE TABLE messages (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	id        TEXT NOT NULL UNIQUE,
	delivered INTEGER NOT NULL,
	doc       TEXT NOT NULL
);
CREATE INDEX messages_pending ON messages (seq) WHERE delivered = 0;
