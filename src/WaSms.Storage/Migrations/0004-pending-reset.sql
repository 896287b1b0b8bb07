-- v4: the reset in progress (at most one row): written before the first participant wipes, deleted
-- after the last one has, so a restart in between finishes the reset instead of coming back half reset.
-- A factory reset's wipe of every table leaves this one alone (GatewayStore.WipeEverythingAsync).
CREATE TABLE pending_reset (
    only_row          INTEGER PRIMARY KEY NOT NULL CHECK (only_row = 1),
    kind              TEXT    NOT NULL CHECK (kind IN ('relink', 'factory')),
    discard_confirmed INTEGER NOT NULL,
    origin            TEXT    NOT NULL,
    started_at        INTEGER NOT NULL
) STRICT;
