"""Shared tools every domain may use: dates, errors, i18n, Markdown, pagination, ETags, storage.

Nothing here imports a domain, the web layer or the database models."""
