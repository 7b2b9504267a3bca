"""Domain errors raised by services, mapped to HTTP in one place (``blueprints/errors.py``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        errors: Mapping[str, Sequence[str]] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message or self.__class__.__doc__ or self.code)
        self.message = message or (self.__class__.__doc__ or self.code).strip()
        if code:
            self.code = code
        self.errors = {k: list(v) for k, v in (errors or {}).items()}
        self.retry_after = retry_after


class NotFound(DomainError):
    """Not found."""

    status = 404
    code = "not_found"


class Forbidden(DomainError):
    """You do not have permission to do that."""

    status = 403
    code = "forbidden"


class Unauthorized(DomainError):
    """Authentication required."""

    status = 401
    code = "unauthorized"


class Conflict(DomainError):
    """That conflicts with the current state."""

    status = 409
    code = "conflict"


class Invalid(DomainError):
    """Some fields are invalid."""

    status = 422
    code = "validation_error"


class BadRequest(DomainError):
    """The request is malformed."""

    status = 400
    code = "bad_request"


class Unavailable(DomainError):
    """A service we depend on cannot answer right now; nothing was changed."""

    status = 503
    code = "unavailable"


class RateLimited(DomainError):
    """Too many requests; try again later."""

    status = 429
    code = "rate_limited"
