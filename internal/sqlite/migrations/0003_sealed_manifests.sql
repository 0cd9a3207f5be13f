-- A job's manifest is sealed once (scrypt makes that costly) and then
-- served as stored, so that every download, on every replica, is the same
-- file. It lives beside the job rather than in its doc, which the lists
-- read whole.
CREATE TABLE sealed_manifests (
	job_id TEXT PRIMARY KEY,
	sealed BLOB NOT NULL
);
