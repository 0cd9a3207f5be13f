-- The metrics count jobs and clusters by state at every scrape: an index
-- on the jobs' state lets SQLite count them without reading a document,
-- and clusters get a state column of their own, filled from their
-- documents, as jobs have had from the start.
CREATE INDEX jobs_state ON jobs (state);

ALTER TABLE clusters ADD COLUMN state TEXT NOT NULL DEFAULT '';
UPDATE clusters SET state = json_extract(doc, '$.State');
