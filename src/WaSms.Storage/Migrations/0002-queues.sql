-- v2: store-and-forward queues; acked rows stay as tombstones so a replayed item is not taken twice
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
