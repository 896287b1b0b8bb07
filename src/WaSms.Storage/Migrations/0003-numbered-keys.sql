-- v3: numbered private keys of a secret scope (the WhatsApp session's Signal one-time prekeys).
-- uploaded turns 1 only once the server confirmed them, so a crash before that re-sends the same
-- ids instead of inventing new ones; next_id never goes back, so an id is not reused for another key.
CREATE TABLE numbered_keys (
    scope       TEXT    NOT NULL,
    id          INTEGER NOT NULL,
    private_key BLOB    NOT NULL,
    public_key  BLOB    NOT NULL,
    uploaded    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (scope, id)
) STRICT;

CREATE TABLE numbered_key_counters (
    scope   TEXT    PRIMARY KEY NOT NULL,
    next_id INTEGER NOT NULL
) STRICT;
