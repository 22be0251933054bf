"""Customers: search, their whole story across channels, merging duplicates (docs/customers.md)."""
