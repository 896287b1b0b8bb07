-- v5: the Signal state of the WhatsApp session's peers (opaque records the Signal code serialises):
-- pairwise sessions and remote identities per address (name = JID user, user_1 for LIDs; device),
-- sender keys per group and sender, and the LID<->phone-number map. Every table has a scope column,
-- so a relink (GatewayStore.WipeSecretsAsync) forgets them with the credentials and prekeys.
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

-- One LID per phone number and the reverse: a new pair replaces the rows of either side.
CREATE TABLE lid_map (
    scope      TEXT    NOT NULL,
    lid_user   TEXT    NOT NULL,
    pn_user    TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (scope, lid_user),
    UNIQUE (scope, pn_user)
) STRICT;
