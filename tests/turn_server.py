"""A real coturn (`turnserver`) on loopback in TURN REST mode, for the browser tests.

It checks credentials exactly as production's coturn does (`use-auth-secret` with a
`static-auth-secret`), so a call that connects through it proves the app's TURN credentials.
Loopback peers are refused by coturn unless `allow-loopback-peers` is set (PITFALLS.md), and
Debian's package may have started a coturn service on the default port 3478: this one takes a
free port and a small private relay range of its own.
"""

from __future__ import annotations

import contextlib
import os
import random
import secrets
import shutil
import signal
import socket
import struct
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.mailbox import free_port

READY_LIMIT_SECONDS = 30.0
"""How long coturn may take to answer its first STUN request on a loaded machine."""
RELAY_PORTS = 16
"""Enough relay ports for the few allocations two browsers make."""
REALM = "therapyhub.test"
STUN_MAGIC_COOKIE = 0x2112A442


def turnserver_path() -> str | None:
    """Debian installs it in /usr/bin; other systems in /usr/sbin, which root's PATH may lack."""
    return shutil.which("turnserver") or next(
        (p for p in ("/usr/sbin/turnserver", "/usr/bin/turnserver") if os.access(p, os.X_OK)),
        None,
    )


@dataclass(frozen=True)
class TurnServer:
    """A running coturn: where it listens and the secret the app signs credentials with."""

    host: str
    port: int
    secret: str
    relay_ports: range
    log: Path

    @property
    def url(self) -> str:
        """The value for the app's TURN_URLS setting."""
        return f"turn:{self.host}:{self.port}?transport=udp"

    @classmethod
    @contextlib.contextmanager
    def running(cls, directory: Path) -> Iterator[TurnServer]:
        executable = turnserver_path()
        assert executable, "turnserver is not installed (Debian package coturn)"
        server = cls(host="127.0.0.1", port=_free_udp_port(), secret=secrets.token_urlsafe(24),
                     relay_ports=_free_udp_range(RELAY_PORTS), log=directory / "turnserver.log")
        pidfile = directory / "turnserver.pid"
        config = directory / "turnserver.conf"
        config.write_text(server._config(pidfile, directory / "turndb"))
        # -c names our file, so the machine's /etc/turnserver.conf adds nothing.
        process = subprocess.Popen([executable, "-c", str(config)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.STDOUT)
        try:
            server._wait_until_answering(process)
            yield server
        finally:
            _stop(process, pidfile)

    def _config(self, pidfile: Path, userdb: Path) -> str:
        return "\n".join([
            f"listening-ip={self.host}",
            f"relay-ip={self.host}",
            f"listening-port={self.port}",
            f"min-port={self.relay_ports.start}",
            f"max-port={self.relay_ports.stop - 1}",
            "use-auth-secret",
            f"static-auth-secret={self.secret}",
            f"realm={REALM}",
            "allow-loopback-peers",
            "fingerprint",
            "no-tls",
            "no-dtls",
            "no-cli",
            "simple-log",  # without it the log file's name gets a date suffix
            f"log-file={self.log}",
            f"pidfile={pidfile}",
            f"userdb={userdb}",
            "",
        ])

    def _wait_until_answering(self, process: subprocess.Popen[bytes]) -> None:
        """Ready means it answers a STUN Binding request on its port, as a browser's first
        packet would be answered."""
        request_id = secrets.token_bytes(12)
        request = struct.pack("!HHI", 0x0001, 0, STUN_MAGIC_COOKIE) + request_id
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.settimeout(0.2)
            for _ in range(int(READY_LIMIT_SECONDS / 0.2)):
                if process.poll() is not None:
                    raise AssertionError(f"turnserver exited:\n{self.log_text()}")
                probe.sendto(request, (self.host, self.port))
                with contextlib.suppress(TimeoutError, ConnectionRefusedError):
                    answer = probe.recv(2048)
                    if answer[:2] == b"\x01\x01" and answer[8:20] == request_id:
                        return
        raise AssertionError(f"turnserver did not answer STUN:\n{self.log_text()}")

    def log_text(self) -> str:
        """coturn's log, for an assertion message."""
        return self.log.read_text(errors="replace") if self.log.exists() else "(no log)"


def _stop(process: subprocess.Popen[bytes], pidfile: Path) -> None:
    """Stop it by the PID it wrote (what an operator's script would do), then reap it."""
    pid = int(pidfile.read_text().strip()) if pidfile.exists() else process.pid
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=20)


def _free_udp_port() -> int:
    for _ in range(50):
        port = free_port()
        if _udp_free(port):
            return port
    raise AssertionError("no free loopback port for turnserver")


def _free_udp_range(size: int) -> range:
    """A small run of free UDP ports in the dynamic range, random so parallel runs rarely meet."""
    for _ in range(200):
        start = random.randrange(49_152, 65_535 - size)
        ports = range(start, start + size)
        if all(_udp_free(port) for port in ports):
            return ports
    raise AssertionError("no free run of UDP ports for turnserver's relays")


def _udp_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
