-- v9: the platform tunnel (docs/tunnel.md §10). A relink keeps these rows (the enrollment stays); a
-- factory reset forgets them with the enrollment, and a new enrollment starts them again.

-- The highest platform seq (send and command frames) processed with every lower one: one row.
-- Written in the same transaction as the job or command result it belongs to.
CREATE TABLE tunnel_progress (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    platform_seq INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;

-- Commands executed (at most once), with the result frame a replay is answered with.
CREATE TABLE tunnel_commands (
    seq        INTEGER PRIMARY KEY,
    command_id TEXT    NOT NULL UNIQUE,
    result     TEXT    NOT NULL,
    at         INTEGER NOT NULL
) STRICT;
