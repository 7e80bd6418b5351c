"""Questions and answers to all: the nota van inlichtingen."""
