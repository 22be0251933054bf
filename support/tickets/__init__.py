"""Customers, tickets, messages, the event history, the status machine and search."""
