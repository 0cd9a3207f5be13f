-- The operator's faults (internal/faults), shared by every process over
-- this database. hits is a column of its own, outside doc, so that one
-- statement can count a hit and check the fault's count at once; count is
-- copied out of doc for that statement (0: no limit). Every API call reads
-- the whole table (through a short cache), which stays small.
CREATE TABLE faults (
	seq   INTEGER PRIMARY KEY AUTOINCREMENT,
	id    TEXT NOT NULL UNIQUE,
	count INTEGER NOT NULL,
	hits  INTEGER NOT NULL,
	doc   TEXT NOT NULL
);
