"""Sites: the center's locations, each with a time zone (and later business hours and a lab)."""
