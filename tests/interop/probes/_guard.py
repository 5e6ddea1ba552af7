"""Loopback only: any connection or name lookup elsewhere is refused and remembered (``attempts``).

Imported first by every probe, before the SDK or DataHub, so nothing they do at import time escapes. The
probes report ``attempts``; the tests require it to be empty (offline means offline, telemetry included).
"""

from __future__ import annotations

import socket
from typing import Any

attempts: list[str] = []

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _is_loopback(host: Any) -> bool:
    return isinstance(host, str) and (host in ("localhost", "::1") or host.startswith("127."))


def _check(address: Any) -> None:
    if isinstance(address, tuple) and not _is_loopback(address[0]):
        attempts.append(f"connect {address[0]}:{address[1]}")
        raise OSError(f"interop probes stay on loopback (refused {address!r})")


def _connect(self: socket.socket, address: Any) -> None:
    _check(address)
    _real_connect(self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    _check(address)
    return _real_connect_ex(self, address)


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host is not None and not _is_loopback(host):
        attempts.append(f"resolve {host}")
        raise socket.gaierror(f"interop probes stay on loopback (refused to resolve {host!r})")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _connect  # type: ignore[method-assign]
socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
socket.getaddrinfo = _getaddrinfo
