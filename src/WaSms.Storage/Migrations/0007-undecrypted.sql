-- v7: undecrypted messages. A message that failed to decrypt and is still waiting for the sender's resend: what is needed to
-- store it as undecryptable once no resend came in time (WhatsApp/Messaging/Receive/UndecryptableSweeper.cs).
-- One row per message, kept from its first failure; the sweep stores it (unless it was stored meanwhile)
-- and deletes it.
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
