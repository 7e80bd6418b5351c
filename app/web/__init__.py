"""The HTTP layer every domain shares: page rendering, problem answers, error pages, security middleware."""
