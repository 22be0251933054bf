"""Outbound: replies and acknowledgements to customers' channels, and signed callbacks to clients."""
