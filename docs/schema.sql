-- The gateway database's whole schema after the latest migration, for reading. Devices never run
-- this file: fresh and old databases alike get src/WaSms.Storage/Migrations/NNNN-*.sql in order. SchemaFileTests
-- compares it with a freshly migrated database (sqlite_schema and the two header pragmas).
-- A migration's header may say `-- readable-by: N` (docs/updates.md §7): firmware that knows fewer
-- than N migrations must not open the store; without it the step is additive. The store records the
-- result in schema_compat (at the end), so an older firmware can still open a newer store after a rollback.
PRAGMA application_id = 1465996109; -- 0x5761534D, "WaSM"
PRAGMA user_version = 10;

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

-- v5 (0005-signal.sql): the Signal state of the WhatsApp session's peers; every table has a scope column,
-- so a relink forgets them with the session. Sessions and identities by address (name = JID user, user_1 for LIDs)
CREATE TABLE signal_sessions (
    scope      TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    device     INTEGER NOT NULL,
    record     BLOB    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (scope, name, device)
) STRICT;

CREATE TABLE signal_identities (
    scope        TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    device       INTEGER NOT NULL,
    identity_key BLOB    NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (scope, name, device)
) STRICT;

CREATE TABLE signal_sender_keys (
    scope      TEXT    NOT NULL,
    group_jid  TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    device     INTEGER NOT NULL,
    record     BLOB    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (scope, group_jid, name, device)
) STRICT;

-- v5: one LID per phone number and the reverse: a new pair replaces the rows of either side.
CREATE TABLE lid_map (
    scope      TEXT    NOT NULL,
    lid_user   TEXT    NOT NULL,
    pn_user    TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (scope, lid_user),
    UNIQUE (scope, pn_user)
) STRICT;

-- v6 (0006-messages.sql): messages, no scope column: a relink keeps the history and the stream and fails
-- pending sends ('relinked'); a factory reset forgets every row. Inbound messages, once by (chat, sender, message_id)
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

-- v6: Send jobs. status: 0 pending, 1 sent, 2 delivered, 3 read, 4 failed (only ever forward, or
-- v6: pending -> failed); each state reached keeps its time. caller_id makes a send idempotent.
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
    attempts       INTEGER NOT NULL DEFAULT 0,
    -- v10 (0010-job-priority-and-expiry.sql): 1 = ahead of other chats' queued jobs, 2 = normal;
    -- expires_at: a job not sent by then fails 'expired' (NULL = never)
    priority       INTEGER NOT NULL DEFAULT 2 CHECK (priority IN (1, 2)),
    expires_at     INTEGER
) STRICT;

CREATE INDEX send_jobs_pending ON send_jobs (id) WHERE status = 0;
CREATE INDEX send_jobs_sent ON send_jobs (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX send_jobs_failed ON send_jobs (failed_at) WHERE failed_at IS NOT NULL;

-- v6: The API's stream: every stored inbound message and every status change of a send job, numbered
-- v6: by cursor. AUTOINCREMENT: a cursor is never handed out twice, even after the last row is gone.
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

-- v6: How far each consumer of the stream has acknowledged it (never moves back).
CREATE TABLE event_consumers (
    consumer   TEXT    PRIMARY KEY NOT NULL,
    cursor     INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- v6: Failed decrypts per (sender device, message id), bounding the retry receipts for one message.
CREATE TABLE decrypt_failures (
    sender_device TEXT    NOT NULL,
    message_id    TEXT    NOT NULL,
    count         INTEGER NOT NULL,
    last_at       INTEGER NOT NULL,
    PRIMARY KEY (sender_device, message_id)
) STRICT;

-- v7 (0007-undecrypted.sql): A message that failed to decrypt and waits for the sender's resend; stored as undecryptable
-- once no resend came in time (WhatsApp/Messaging/Receive/UndecryptableSweeper.cs), then deleted.
CREATE TABLE undecrypted_messages (
    chat            TEXT    NOT NULL,
    sender          TEXT    NOT NULL,
    message_id      TEXT    NOT NULL,
    sender_alt      TEXT,
    sent_at         INTEGER NOT NULL,
    from_me         INTEGER NOT NULL,
    push_name       TEXT,
    error           TEXT,
    first_failed_at INTEGER NOT NULL,
    PRIMARY KEY (chat, sender, message_id)
) STRICT;
CREATE INDEX undecrypted_messages_first_failed ON undecrypted_messages (first_failed_at);

-- v8 (0008-optouts.sql): The opt-out list: senders whose 1:1 text was an opt-out keyword; jobs to them
-- v8: fail 'opted-out'. phone: +E164, or the sender's JID when WhatsApp hid the number (…@lid).
CREATE TABLE optouts (
    phone      TEXT    PRIMARY KEY NOT NULL,
    keyword    TEXT    NOT NULL,
    message_id TEXT,
    at         INTEGER NOT NULL
) STRICT;

-- v8: Every change of the list, kept: which message opted its sender out or in (the tunnel's optOut
-- v8: flag), or a removal by hand (message_id NULL). Written in the same transaction as the message.
CREATE TABLE optout_changes (
    id         INTEGER PRIMARY KEY,
    phone      TEXT    NOT NULL,
    change     TEXT    NOT NULL CHECK (change IN ('out', 'in', 'removed')),
    keyword    TEXT,
    message_id TEXT,
    at         INTEGER NOT NULL
) STRICT;

CREATE INDEX optout_changes_message ON optout_changes (message_id) WHERE message_id IS NOT NULL;

-- v8: The last send to a chat, for the per-recipient cooldown (the caps use send_jobs_sent).
CREATE INDEX send_jobs_chat_sent ON send_jobs (chat, sent_at) WHERE sent_at IS NOT NULL;
-- v9 (0009-tunnel.sql): The highest platform seq processed with every lower one (one row), written in the same
-- transaction as the job or command result it belongs to (docs/tunnel.md §10).
CREATE TABLE tunnel_progress (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    platform_seq INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;

-- v9: Platform commands executed (at most once), with the result frame a replay is answered with.
CREATE TABLE tunnel_commands (
    seq        INTEGER PRIMARY KEY,
    command_id TEXT    NOT NULL UNIQUE,
    result     TEXT    NOT NULL,
    at         INTEGER NOT NULL
) STRICT;

-- v10: The outbox's order ranks a job by the most urgent pending job of its chat queued after it.
CREATE INDEX send_jobs_pending_chat ON send_jobs (chat, id) WHERE status = 0;
CREATE INDEX send_jobs_expiry ON send_jobs (expires_at) WHERE status = 0 AND expires_at IS NOT NULL;

-- Not a migration: the store's compatibility marker, written by GatewayStore.SchemaCompat.cs in the
-- same transaction as every migration. version = user_version; readable_by = the oldest schema version
-- a firmware must know to use the store (the highest `-- readable-by:` of the migrations run, else 1).
-- A factory reset keeps it.
CREATE TABLE schema_compat (
    only_row    INTEGER PRIMARY KEY NOT NULL CHECK (only_row = 1),
    version     INTEGER NOT NULL,
    readable_by INTEGER NOT NULL CHECK (readable_by BETWEEN 1 AND version)
) STRICT;
