"""Release packages: what goes out to every participant at one moment."""
