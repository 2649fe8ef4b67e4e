"""A real SMTP server on a free loopback port (aiosmtpd), and reading what it received."""

from __future__ import annotations

import re
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from jobs.outbox_sender import DeliveryReport, deliver_pending
from settings import Settings

TOKEN_IN_LINK = re.compile(r"#token=([A-Za-z0-9_-]{43})")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


REJECTED_DOMAIN = "@rejected.example"
"""The test server refuses these recipients for good (550), like a mailbox that does not exist."""


class _Collector:
    """aiosmtpd handler: keeps every message it accepts (the server runs in its own thread)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        if address.endswith(REJECTED_DOMAIN):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.original_content or envelope.content,
                                     policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    """Started, stopped and started again on one port, keeping what it received (a stopped
    aiosmtpd Controller has closed its event loop, so each start makes a new one)."""

    def __init__(self) -> None:
        self.collector = _Collector()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class Mailbox:
    """What the SMTP server received during one test, plus the app's sender pointed at it."""

    def __init__(self, settings: Settings, server: SmtpServer) -> None:
        self.settings = settings.with_changes(smtp_host="127.0.0.1", smtp_port=server.port,
                                              smtp_security="none", smtp_timeout_seconds=10)
        self.server = server
        with server.collector.lock:
            server.collector.messages.clear()

    @property
    def messages(self) -> list[EmailMessage]:
        with self.server.collector.lock:
            return list(self.server.collector.messages)

    async def deliver(self, **kwargs: Any) -> DeliveryReport:
        """Run the outbox sender once, as the app's background task does."""
        return await deliver_pending(self.settings, **kwargs)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def last(self, address: str) -> EmailMessage:
        received = self.to(address)
        assert received, f"no email to {address}; received: {[m['To'] for m in self.messages]}"
        return received[-1]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return body.get_content()


def html_of(message: EmailMessage) -> str:
    body = message.get_body(("html",))
    assert body is not None
    return body.get_content()


def token_in(message: EmailMessage) -> str:
    """The token of the link in the email, as the SPA reads it from the link's fragment."""
    found = TOKEN_IN_LINK.search(text_of(message))
    assert found, text_of(message)
    assert f"#token={found.group(1)}" in html_of(message)
    return found.group(1)
