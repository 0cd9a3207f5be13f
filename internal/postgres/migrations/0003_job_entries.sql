-- A list of jobs (ListJobs, ListClusterJobs) shows a few fields of each;
-- they are copied out of doc into columns, so that a list decodes no
-- document. The others are '' (or false) when the job has none.
--
-- description holds the description as doc does: the inside of a JSON
-- string, escaped as encoding/json writes it. PostgreSQL's text refuses
-- the NUL a description may hold (JSON allows \u0000), and so does its
-- jsonb, so the fields are read out of doc's text rather than cast: in it
-- a quote inside a string is always escaped, so "Name": is a member, and
-- each of these names is first met as the member wanted.
ALTER TABLE jobs ADD COLUMN is_master BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE jobs ADD COLUMN job_type TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN snowball_type TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN creation_date TIMESTAMPTZ;
ALTER TABLE jobs ADD COLUMN description TEXT NOT NULL DEFAULT '';
UPDATE jobs SET
	is_master = coalesce(substring(doc from '"IsMaster":(true|false)')::boolean, false),
	job_type = coalesce(substring(doc from '"JobType":"([A-Za-z0-9_]*)"'), ''),
	snowball_type = coalesce(substring(doc from '"SnowballType":"([A-Za-z0-9_]*)"'), ''),
	creation_date = to_timestamp(round(substring(doc from '"CreationDate":(-{0,1}[0-9][0-9.eE+-]*)')::numeric * 1000) / 1000),
	description = coalesce(substring(doc from '"Description":"(([^"\\]|\\.)*)"'), '');
