package sqlite

// WriterDSN is what Open appends to the file name for the write connection
// every Update runs on: BEGIN IMMEDIATE, WAL, and the pragmas (busy_timeout,
// foreign_keys, synchronous=FULL). internal/bench opens a scratch database
// with it, on one connection as Open does, so that its SQL ceiling commits
// exactly as an Update does.
const WriterDSN = writerDSN
