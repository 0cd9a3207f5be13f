-- A list of jobs (ListJobs, ListClusterJobs) shows a few fields of each;
-- they are copied out of doc into columns, so that a list decodes no
-- document. The others are '' (or false) when the job has none.
ALTER TABLE jobs ADD COLUMN is_master BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE jobs ADD COLUMN job_type TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN snowball_type TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN creation_date TIMESTAMPTZ;
ALTER TABLE jobs ADD COLUMN description TEXT NOT NULL DEFAULT '';
UPDATE jobs SET
	is_master = coalesce((doc::jsonb->>'IsMaster')::boolean, false),
	job_type = coalesce(doc::jsonb->'Metadata'->>'JobType', ''),
	snowball_type = coalesce(doc::jsonb->'Metadata'->>'SnowballType', ''),
	creation_date = to_timestamp(round((doc::jsonb->'Metadata'->>'CreationDate')::numeric * 1000) / 1000),
	description = coalesce(doc::jsonb->'Metadata'->>'Description', '');
