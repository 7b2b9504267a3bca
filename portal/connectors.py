"""One HTTP client base for the connectors to outside systems (controller, distributor,
ad and shop platforms).

:class:`HttpConnector` owns the ``requests`` session, the (connect, read) timeouts, bounded
retries with exponential back-off, and the mapping of every failure to one of two errors:

* :class:`UpstreamUnavailable` — unreachable, too slow, or failing (5xx) even after the
  retries. Only idempotent calls are retried (GET, HEAD, PUT, DELETE, OPTIONS, or a call
  marked ``idempotent=True``, such as a search sent by POST): a creation that may have reached
  the other side is never sent twice.
* :class:`UpstreamRejected` — the other side refused the request (4xx) or answered something
  that is not JSON.

Messages are written for a person (``message``) and name the system by its ``label``
("The controller did not answer within 10 seconds."). Credentials live only in the session's
headers: no message, log line or ``repr`` carries them.

The base URLs of these connectors are operator settings, not URLs users type, so the webhook
SSRF guard (``portal.netguard``) is not applied here; a call never leaves the configured
origin though: an absolute URL (a paging link the other side sent) on another scheme, host or
port is refused before anything is sent.

An area's connector subclasses :class:`HttpConnector` and may narrow the error classes
(``unavailable_error``, ``rejected_error``) and the wording of refusals (``rejection``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = (3.05, 10.0)  # (connect, read) seconds
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


class UpstreamError(Exception):
    """An outside system could not answer; ``message`` is fit to show a person."""

    def __init__(self, message: str, *, status: int | None = None, timed_out: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        # no answer in time: a write may still have been applied on the other side
        self.timed_out = timed_out


class UpstreamUnavailable(UpstreamError):
    """Unreachable, too slow, or failing (5xx) even after retries."""


class UpstreamRejected(UpstreamError):
    """The outside system refused the request (4xx) or answered something unreadable."""


class HttpConnector:
    """A ``requests`` client for one outside system at ``base_url``."""

    label = "The service"
    unavailable_error: type[UpstreamUnavailable] = UpstreamUnavailable
    rejected_error: type[UpstreamRejected] = UpstreamRejected
    api_key_header = "X-API-KEY"  # how an ``api_key`` is sent
    default_retries = 2
    default_backoff = 0.3

    def __init__(
        self,
        base_url: str,
        api_key: str = "",
        *,
        headers: dict[str, str] | None = None,
        label: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int | None = None,
        backoff: float | None = None,
        http: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        if label is not None:
            self.label = label
        self.timeout = timeout
        self.retries = max(0, self.default_retries if retries is None else retries)
        self.backoff = max(0.0, self.default_backoff if backoff is None else backoff)
        self._sleep = sleep
        self.http = http or requests.Session()
        key = {self.api_key_header: api_key} if api_key else {}
        self.http.headers.update({"Accept": "application/json", **key, **(headers or {})})

    def __repr__(self) -> str:  # never the headers
        return f"<{type(self).__name__} {self.base_url}>"

    # Refusals (an area may word them its own way) ----------------------------------------------

    def rejection(self, resp: requests.Response) -> UpstreamRejected:
        """The error for a 4xx answer."""
        status = resp.status_code
        if status in {401, 403}:
            return self.rejected_error(f"{self.label} refused our credentials.", status=status)
        if status == 404:
            return self.rejected_error(f"{self.label} does not know that object.", status=404)
        return self.rejected_error(
            f"{self.label} refused the request (HTTP {status}).", status=status
        )

    # Transport ----------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        if not path.startswith(("http://", "https://")):
            return self.base_url + path
        mine, theirs = urlsplit(self.base_url), urlsplit(path)
        if (mine.scheme, mine.netloc) != (theirs.scheme, theirs.netloc):
            raise self.rejected_error(f"{self.label} sent a link to another address.")
        return path

    def request(
        self, method: str, path: str, *, idempotent: bool | None = None, **kwargs: Any
    ) -> requests.Response:
        """Send one call (retried when idempotent); a 2xx/3xx answer, or an error raised."""
        method = method.upper()
        url = self._url(path)
        safe = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        attempts = 1 + (self.retries if safe else 0)
        last: UpstreamUnavailable | None = None
        for attempt in range(attempts):
            if attempt and self.backoff:
                self._sleep(self.backoff * 2 ** (attempt - 1))
            try:
                resp = self.http.request(method, url, timeout=self.timeout, **kwargs)
            except requests.Timeout:
                last = self.unavailable_error(
                    f"{self.label} did not answer within {self.timeout[1]:g} seconds.",
                    timed_out=True,
                )
                continue
            except requests.ConnectionError:
                last = self.unavailable_error(f"{self.label} cannot be reached.")
                continue
            except requests.RequestException:
                last = self.unavailable_error(f"{self.label} could not be called.")
                break
            if resp.status_code >= 500:
                last = self.unavailable_error(
                    f"{self.label} failed (HTTP {resp.status_code}).", status=resp.status_code
                )
                continue
            if resp.status_code >= 400:
                raise self.rejection(resp)
            return resp
        assert last is not None
        log.warning("%s %s %s: %s", self.label, method, urlsplit(url).path, last.message)
        raise last

    def json(self, resp: requests.Response) -> Any:
        """The answer's JSON body; anything else is refused."""
        try:
            return resp.json()
        except ValueError:
            raise self.rejected_error(
                f"{self.label} answered with something that is not JSON.",
                status=resp.status_code,
            ) from None

    def get_json(self, path: str, **kwargs: Any) -> Any:
        return self.json(self.request("GET", path, **kwargs))
