"""gunicorn's access log without one-time secrets: sign-in links, invitations and upload
links carry their token in the path, and a log line must not be a way in.

    gunicorn --logger-class portal.accesslog.RedactingLogger ...
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

# /magic/<token>, /invite/<token>, /u/<token> (and anything below them); secrets in queries
_SECRET_PATH = re.compile(r"(/(?:magic|invite|u)/)[^/?\s]+")
_SECRET_QUERY = re.compile(r"((?:^|[?&])(?:token|key|secret|code|state)=)[^&\s]*", re.IGNORECASE)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """A path or request line with tokens replaced."""
    return _SECRET_QUERY.sub(rf"\g<1>{REDACTED}", _SECRET_PATH.sub(rf"\g<1>{REDACTED}", text))


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "{raw_uri}e", "{path_info}e", "{query_string}e", "f"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        atoms["{referer}i"] = redact(str(atoms.get("{referer}i", "")))
        return atoms
