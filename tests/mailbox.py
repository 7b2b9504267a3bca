"""What recipients actually received: the development mail folder (``OUTBOX_DIR``).

The outbox table keeps no usable one-time links once a message is sent (red-team #5), so tests
read links the way a person does: from the delivered message.
"""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from tests.waiting import wait_until


class Mailbox:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self._before = set(directory.glob("*.eml")) if directory.exists() else set()

    def messages(self, to: str) -> list[EmailMessage]:
        """Messages to ``to`` delivered since the mailbox was opened, oldest first."""
        files = [p for p in self.dir.glob("*.eml") if p not in self._before]
        found = []
        for path in sorted(files, key=lambda p: p.stat().st_mtime_ns):
            msg = message_from_bytes(path.read_bytes(), policy=policy.default)
            if str(msg["To"]).lower() == to.lower():
                found.append(msg)
        return found  # type: ignore[return-value]

    def last(self, to: str) -> EmailMessage:
        return wait_until(lambda: self.messages(to), timeout=10, what=f"mail to {to}")[-1]

    def token(self, to: str, kind: str) -> str:
        """The token of the newest ``/<kind>/<token>`` link mailed to ``to``."""
        body = self.last(to).get_body(preferencelist=("plain",))
        match = re.search(rf"/{kind}/([\w-]+)", body.get_content() if body else "")
        assert match, f"no /{kind}/ link in the mail to {to}"
        return match.group(1)
