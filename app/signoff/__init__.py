"""Sign-off by the municipalities before a release (see service.py)."""
