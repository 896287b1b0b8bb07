-- The gateway database's whole schema after the latest migration, for reading. Devices never run
-- this file: fresh and old databases alike get src/WaSms.Storage/Migrations/NNNN-*.sql in order. SchemaFileTests
-- compares it with a freshly migrated database (sqlite_schema and the two header pragmas).
PRAGMA application_id = 1465996109; -- 0x5761534D, "WaSM"
PRAGMA user_version = 4;

-- v1 (0001-settings-and-secrets.sql): gateway id and other small facts
CREATE TABLE settings (
    key        TEXT    PRIMARY KEY NOT NULL,
    value      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- v1: WhatsApp credentials and platform enrollment, replaced a whole scope at a time
CREATE TABLE secrets (
    scope      TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    value      BLOB    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (scope, name)
) STRICT;

-- v2 (0002-queues.sql): store-and-forward queues; acked rows stay as tombstones against replays
CREATE TABLE queue_items (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    queue       TEXT    NOT NULL,
    dedup_key   TEXT    NOT NULL,
    payload     BLOB    NOT NULL,
    enqueued_at INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    acked_at    INTEGER,
    UNIQUE (queue, dedup_key)
) STRICT;

CREATE INDEX queue_items_pending ON queue_items (queue, id) WHERE acked_at IS NULL;

-- v3 (0003-numbered-keys.sql): Signal one-time prekeys; uploaded = 1 only after the server confirmed
CREATE TABLE numbered_keys (
    scope       TEXT    NOT NULL,
    id          INTEGER NOT NULL,
    private_key BLOB    NOT NULL,
    public_key  BLOB    NOT NULL,
    uploaded    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (scope, id)
) STRICT;

-- v3: the next prekey id per scope; it never goes back
CREATE TABLE numbered_key_counters (
    scope   TEXT    PRIMARY KEY NOT NULL,
    next_id INTEGER NOT NULL
) STRICT;

-- v4 (0004-pending-reset.sql): the reset in progress, at most one row; a factory wipe leaves it alone
CREATE TABLE pending_reset (
    only_row          INTEGER PRIMARY KEY NOT NULL CHECK (only_row = 1),
    kind              TEXT    NOT NULL CHECK (kind IN ('relink', 'factory')),
    discard_confirmed INTEGER NOT NULL,
    origin            TEXT    NOT NULL,
    started_at        INTEGER NOT NULL
) STRICT;
