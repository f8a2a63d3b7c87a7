"""A real SMTP server's mailbox for delivery tests (aiosmtpd): every message it accepted."""

from __future__ import annotations

from typing import Any


class Inbox:
    """An aiosmtpd handler that keeps each envelope and answers 250."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's API)
        self.envelopes.append(envelope)
        return "250 OK"
