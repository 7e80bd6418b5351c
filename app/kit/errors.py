"""The app's own errors: services raise ``AppError`` subclasses, the web layer turns them into answers
(``app.web.errors``): problem+json under ``/api/``, an HTML error page elsewhere."""

from __future__ import annotations

PROBLEM_JSON = "application/problem+json"


def N_(message: str) -> str:
    return message


class AppError(Exception):
    status_code = 400
    title = "Bad request"

    def __init__(
        self,
        detail: str = "",
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        user_message: bool = False,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or []
        self.headers = headers or {}
        self.user_message = user_message  # detail is Dutch text meant for the person using the site


class NotFound(AppError):
    status_code = 404
    title = "Not found"


class Forbidden(AppError):
    status_code = 403
    title = "Forbidden"


class Unauthorized(AppError):
    status_code = 401
    title = "Unauthorized"


class Conflict(AppError):
    status_code = 409
    title = "Conflict"


class PreconditionFailed(AppError):
    status_code = 412
    title = "Precondition failed"


class PreconditionRequired(AppError):
    status_code = 428
    title = "Precondition required"


class TooManyRequests(AppError):
    status_code = 429
    title = "Too many requests"


class ValidationFailed(AppError):
    status_code = 422
    title = "Validation failed"


def invalid(errors: dict[str, str]) -> ValidationFailed:
    """A 422 for the person using the site: field name -> Dutch message, shown next to each field."""
    return ValidationFailed(
        next(iter(errors.values())), user_message=True, errors=[{"field": f, "message": m} for f, m in errors.items()]
    )


def field_errors(exc: AppError) -> dict[str, str]:
    """Field name -> message, to show each next to its field; an error without fields is re-raised."""
    if not exc.errors:
        raise exc
    return {e["field"]: e["message"] for e in exc.errors}
