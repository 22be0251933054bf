"""The audit log: one append-only table of who changed what, written in the changing transaction."""
