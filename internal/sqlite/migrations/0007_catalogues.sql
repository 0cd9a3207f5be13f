-- The catalogues of ListPickupLocations, ListCompatibleImages and
-- ListServiceVersions, in the store so that every replica over it serves
-- the same. Each is a list replaced whole; seq keeps the order it was put.
CREATE TABLE catalogue_entries (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	catalogue TEXT NOT NULL,
	doc       TEXT NOT NULL
);
CREATE INDEX catalogue_entries_catalogue ON catalogue_entries (catalogue);

-- A reset of one account deletes its outbox messages: each now says whose
-- job it announces. The messages queued before took the account from the
-- notification they carry, a JSON document with an AccountId.
ALTER TABLE messages ADD COLUMN account TEXT NOT NULL DEFAULT '';
UPDATE messages SET account = coalesce(json_extract(json_extract(doc, '$.Body'), '$.AccountId'), '')
	WHERE json_valid(json_extract(doc, '$.Body'));
UPDATE messages SET doc = json_set(doc, '$.Account', account);
CREATE INDEX messages_account ON messages (account);
