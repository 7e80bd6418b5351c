"""Notifications: what a user is told of, once, at once or in a daily digest (``service``), and the kinds the
domains report (``events``)."""
