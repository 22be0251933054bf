"""Business calendars: opening hours, holidays and the pure business-time arithmetic (hours.py)."""
