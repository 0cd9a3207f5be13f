-- A list of jobs (ListJobs, ListClusterJobs) shows a few fields of each;
-- they are copied out of doc into columns, so that a list decodes no
-- document. creation_date is Metadata.CreationDate in Unix milliseconds,
-- the precision of a model timestamp; the others are '' (or 0) when the
-- job has none.
ALTER TABLE jobs ADD COLUMN is_master INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN job_type TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN snowball_type TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN creation_date INTEGER;
ALTER TABLE jobs ADD COLUMN description TEXT NOT NULL DEFAULT '';
UPDATE jobs SET
	is_master = coalesce(json_extract(doc, '$.IsMaster'), 0),
	job_type = coalesce(json_extract(doc, '$.Metadata.JobType'), ''),
	snowball_type = coalesce(json_extract(doc, '$.Metadata.SnowballType'), ''),
	creation_date = CAST(round(json_extract(doc, '$.Metadata.CreationDate') * 1000) AS INTEGER),
	description = coalesce(json_extract(doc, '$.Metadata.Description'), '');
