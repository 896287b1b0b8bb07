-- v6: messages. No scope column: a relink keeps the history and the stream (pending send jobs are
-- failed with reason 'relinked' instead, GatewayStore.FailPendingSendsAsync); a factory reset
-- forgets every row. Times are Unix milliseconds.

-- Inbound messages, stored once by (chat, sender, message_id), in the same transaction as the
-- Signal state their decryption changed. content: the decrypted waE2E.Message bytes.
CREATE TABLE inbound_messages (
    id          INTEGER PRIMARY KEY,
    chat        TEXT    NOT NULL,
    sender      TEXT    NOT NULL,
    message_id  TEXT    NOT NULL,
    sender_alt  TEXT,
    sent_at     INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    text        TEXT,
    from_me     INTEGER NOT NULL,
    push_name   TEXT,
    content     BLOB,
    error       TEXT,
    received_at INTEGER NOT NULL,
    UNIQUE (chat, sender, message_id)
) STRICT;

CREATE INDEX inbound_messages_received ON inbound_messages (received_at);

-- Send jobs. status: 0 pending, 1 sent, 2 delivered, 3 read, 4 failed (only ever forward, or
-- pending -> failed); each state reached keeps its time. caller_id makes a send idempotent.
CREATE TABLE send_jobs (
    id             INTEGER PRIMARY KEY,
    message_id     TEXT    NOT NULL UNIQUE,
    caller_id      TEXT    UNIQUE,
    chat           TEXT    NOT NULL,
    text           TEXT    NOT NULL,
    status         INTEGER NOT NULL CHECK (status BETWEEN 0 AND 4),
    created_at     INTEGER NOT NULL,
    sent_at        INTEGER,
    delivered_at   INTEGER,
    read_at        INTEGER,
    failed_at      INTEGER,
    failure_reason TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX send_jobs_pending ON send_jobs (id) WHERE status = 0;
CREATE INDEX send_jobs_sent ON send_jobs (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX send_jobs_failed ON send_jobs (failed_at) WHERE failed_at IS NOT NULL;

-- The API's stream: every stored inbound message and every status change of a send job, numbered
-- by cursor. AUTOINCREMENT: a cursor is never handed out twice, even after the last row is gone.
CREATE TABLE message_events (
    cursor     INTEGER PRIMARY KEY AUTOINCREMENT,
    inbound_id INTEGER REFERENCES inbound_messages (id),
    job_id     INTEGER REFERENCES send_jobs (id),
    status     INTEGER CHECK (status BETWEEN 0 AND 4),
    at         INTEGER NOT NULL,
    reason     TEXT,
    CHECK ((inbound_id IS NULL) <> (job_id IS NULL)),
    CHECK ((job_id IS NULL) = (status IS NULL))
) STRICT;

-- How far each consumer of the stream has acknowledged it (never moves back).
CREATE TABLE event_consumers (
    consumer   TEXT    PRIMARY KEY NOT NULL,
    cursor     INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Failed decrypts per (sender device, message id), bounding the retry receipts for one message.
CREATE TABLE decrypt_failures (
    sender_device TEXT    NOT NULL,
    message_id    TEXT    NOT NULL,
    count         INTEGER NOT NULL,
    last_at       INTEGER NOT NULL,
    PRIMARY KEY (sender_device, message_id)
) STRICT;
