-- v8: acceptable use (docs/acceptable-use.md). Times are Unix milliseconds.

-- The opt-out list: senders whose 1:1 text was an opt-out keyword; jobs to them fail 'opted-out'.
-- phone: +E164, or the sender's JID when WhatsApp hid the number (…@lid).
CREATE TABLE optouts (
    phone      TEXT    PRIMARY KEY NOT NULL,
    keyword    TEXT    NOT NULL,
    message_id TEXT,
    at         INTEGER NOT NULL
) STRICT;

-- Every change of the list, kept: which message opted its sender out or in (the tunnel's optOut
-- flag), or a removal by hand (message_id NULL). Written in the same transaction as the message.
CREATE TABLE optout_changes (
    id         INTEGER PRIMARY KEY,
    phone      TEXT    NOT NULL,
    change     TEXT    NOT NULL CHECK (change IN ('out', 'in', 'removed')),
    keyword    TEXT,
    message_id TEXT,
    at         INTEGER NOT NULL
) STRICT;

CREATE INDEX optout_changes_message ON optout_changes (message_id) WHERE message_id IS NOT NULL;

-- The last send to a chat, for the per-recipient cooldown (the caps use send_jobs_sent).
CREATE INDEX send_jobs_chat_sent ON send_jobs (chat, sent_at) WHERE sent_at IS NOT NULL;
