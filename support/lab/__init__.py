"""The lab: equipment units per site, checkouts bound to tickets, holds, reservations."""
