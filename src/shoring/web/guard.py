"""Request guard (pure ASGI middleware): bearer token, allowed hosts, same-origin writes
and the request size limit, checked before any handler reads the request."""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_COOKIE = "shoring_token"
"""Cookie the login page sets so the browser's pages carry the token."""
OPEN_PATHS = ("/login",)
"""Paths answered without the token (the login page itself)."""


class TooLarge(Exception):  # noqa: N818 - a state
    """The request body passed the limit while it was read."""


async def _answer(send: Send, status: int, detail: str, headers: list | None = None) -> None:
    body = json.dumps({"detail": detail, "problems": []}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _cookie(headers: dict[bytes, bytes], name: str) -> str | None:
    for part in headers.get(b"cookie", b"").decode("latin-1").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


class Guard:
    """Wraps the app: refuses requests before they reach it.

    Parameters
    ----------
    app : ASGI app
        The FastAPI app.
    token : str, optional
        Every request must carry ``Authorization: Bearer <token>`` (or the login cookie).
    allowed_hosts : tuple of str, optional
        Accepted ``Host`` names (without port); None accepts any.
    max_body : int
        Largest request body in bytes (413 beyond).
    """

    def __init__(
        self,
        app: ASGIApp,
        token: str | None,
        allowed_hosts: tuple[str, ...] | None,
        max_body: int,
    ) -> None:
        self.app = app
        self.token = token
        self.allowed_hosts = allowed_hosts
        self.max_body = max_body

    def _authorized(self, headers: dict[bytes, bytes]) -> bool:
        assert self.token is not None
        given = headers.get(b"authorization", b"").decode("latin-1")
        if given.startswith("Bearer ") and secrets.compare_digest(
            given[7:].strip().encode(), self.token.encode()
        ):
            return True
        cookie = _cookie(headers, TOKEN_COOKIE)
        return cookie is not None and secrets.compare_digest(cookie.encode(), self.token.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        hostname = urlsplit(f"//{host}").hostname or ""
        if self.allowed_hosts is not None and hostname not in self.allowed_hosts:
            await _answer(send, 421, f"this server does not answer for host {host!r}")
            return
        method = scope["method"]
        origin = headers.get(b"origin")
        writes = method not in ("GET", "HEAD", "OPTIONS")
        if writes and origin is not None and urlsplit(origin.decode("latin-1")).netloc != host:
            await _answer(send, 403, "cross-origin writes are refused")
            return
        if self.token and scope["path"] not in OPEN_PATHS and not self._authorized(headers):
            await _answer(
                send,
                401,
                "a bearer token is required: send 'Authorization: Bearer <token>' or log in "
                "at /login",
                [(b"www-authenticate", b"Bearer")],
            )
            return
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            await _answer(send, 413, self._too_large())
            return
        await self._limited(scope, receive, send)

    def _too_large(self) -> str:
        return f"the request is larger than {self.max_body / 2**20:g} MiB: refused"

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the body while the app reads it; 413 when it passes the limit."""
        seen = 0
        started = False

        async def counting() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise TooLarge
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting, tracking)
        except TooLarge:
            if not started:
                await _answer(send, 413, self._too_large())
