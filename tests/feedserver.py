"""A tiny asyncio HTTP/1.1 server for feed tests: canned answers plus hostile behaviours
(holding, dripping, barriers), on 127.0.0.1, in the test's own event loop or (`in_thread`) on a
loop of its own for tests whose loop is busy elsewhere: a CLI run, the app's refresh worker."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email.utils
import http
import shutil
import ssl
import subprocess
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from amity.store import Config, Event, Feed, RefreshSettings, Store


@dataclass
class Request:
    """What the server received."""

    method: str
    path: str
    headers: dict[str, str]


Handler = Callable[[Request, asyncio.StreamWriter], Awaitable[None]]


def response(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
    """A complete HTTP/1.1 response with Content-Length; the connection is closed after it."""
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:  # a status no standard names: hostile tests send those too
        reason = "X"
    lines = [f"HTTP/1.1 {status} {reason}"]
    merged = {"Content-Type": "application/rss+xml", **(headers or {})}
    merged["Content-Length"] = str(len(body))
    merged["Connection"] = "close"
    lines += [f"{k}: {v}" for k, v in merged.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class FeedServer:
    """Routes paths to handlers; records every request."""

    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    port: int = 0
    scheme: str = "http"
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task] = field(default_factory=set)

    async def start(self, tls: ssl.SSLContext | None = None) -> FeedServer:
        """Listen on a free port of 127.0.0.1 (speaking https when given a `tls` context)."""
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=tls)
        self.port = self._server.sockets[0].getsockname()[1]
        self.scheme = "https" if tls else "http"
        return self

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=1)
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1)

    def url(self, path: str) -> str:
        """The absolute URL of a path on this server."""
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, body: bytes, status: int = 200, **headers: str) -> str:
        """Answer `path` with a fixed response; returns its URL."""
        raw = response(status, body, {k.replace("_", "-"): v for k, v in headers.items()})

        async def handler(_request: Request, writer: asyncio.StreamWriter) -> None:
            writer.write(raw)

        self.routes[path] = handler
        return self.url(path)

    def handle(self, path: str, handler: Handler) -> str:
        """Answer `path` with a custom coroutine; returns its URL."""
        self.routes[path] = handler
        return self.url(path)

    def hits(self, path: str) -> list[Request]:
        """The requests received for a path."""
        return [r for r in self.requests if r.path == path]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            first, *lines = head.decode("latin-1").split("\r\n")
            method, path, _ = first.split(" ", 2)
            headers = {}
            for line in lines:
                if ":" in line:
                    key, value = line.split(":", 1)
                    headers[key.strip().lower()] = value.strip()
            request = Request(method, path, headers)
            self.requests.append(request)
            handler = self.routes.get(path)
            if handler is None:
                writer.write(response(404, b"not found", {"Content-Type": "text/plain"}))
            else:
                await handler(request, writer)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            self._tasks.discard(task)


@contextlib.contextmanager
def in_thread() -> Iterator[FeedServer]:
    """A FeedServer serving from its own event loop in a background thread until the block ends
    (routes may be added from the test's thread: `serve` only records them)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="feedserver", daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(FeedServer().start(), loop).result(10)
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def fast_and_stuck(server: FeedServer) -> tuple[str, str]:
    """Two feed URLs: `/fast` answers at once with one relevant item, `/slow` never answers."""

    async def hang(_request: Request, _writer: asyncio.StreamWriter) -> None:
        await asyncio.Event().wait()

    return server.serve("/fast", rss(relevant_item(1))), server.handle("/slow", hang)


def rss(*items: str, title: str = "Test feed", extra: str = "") -> bytes:
    """An RSS 2.0 document with the given <item> bodies."""
    body = "".join(f"<item>{item}</item>" for item in items)
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title>{extra}{body}</channel></rss>"
    ).encode()


def item(
    title: str, link: str, date: str | None = "Fri, 16 Jan 2026 10:00:00 +0900", summary: str = ""
) -> str:
    """One RSS <item> (title and summary are inserted as given: escape them yourself)."""
    parts = [f"<title>{title}</title>", f"<link>{link}</link>"]
    if date:
        parts.append(f"<pubDate>{date}</pubDate>")
    if summary:
        parts.append(f"<description>{summary}</description>")
    return "".join(parts)


def relevant_item(n: int, host: str = "news.example") -> str:
    """An item about the pair, a week after item n-1 (so distinct items never cluster)."""
    words = ["orchestra", "glacier", "volcano", "bakery", "marathon", "harbour", "library", "opera"]
    word = words[n % len(words)] + str(n)
    day = dt.datetime(2020, 1, 1, 9, tzinfo=dt.UTC) + dt.timedelta(days=7 * n)
    return item(
        f"Japan and Italy {word} {n} news",
        f"https://{host}/story/{n}",
        email.utils.format_datetime(day),
        f"Italian and Japanese officials discuss the {word} item {n}.",
    )


def self_signed_tls(folder: Path) -> ssl.SSLContext | None:
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1 (made by the
    openssl command), or None when there is no openssl command."""
    if shutil.which("openssl") is None:
        return None
    cert, key = folder / "cert.pem", folder / "key.pem"
    new_key = ["-newkey", "rsa:2048", "-nodes", "-keyout", str(key)]
    subject = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run(
        ["openssl", "req", "-x509", *new_key, "-days", "1", *subject, "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def short_config(**refresh: float) -> Config:
    """The default config with test-sized refresh limits (short deadline)."""
    settings = {"deadline": 2.0, **refresh}
    return Config(refresh=RefreshSettings(**settings))  # type: ignore[arg-type]


def store_with(path, urls: list[str], **feed_fields) -> Store:
    """A new store subscribed to exactly these feeds (no real-world default feeds)."""
    store = Store.open(path)
    with store.transaction() as txn:
        for url in list(txn.feeds()):
            txn.remove_feed(url)
        txn.put_feeds(Feed(url=url, **feed_fields) for url in urls)
    return store


def feed_events(store: Store) -> list[Event]:
    """The events feeds made (not curated, not the person's own)."""
    return [e for e in store.snapshot().events if e.origin == "feed"]


def feeds_by_url(store: Store) -> dict[str, Feed]:
    """The subscribed feeds as the store holds them now, by URL."""
    return {f.url: f for f in store.snapshot().feeds}


# XML attacks: each must be refused fast and without a memory spike.
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']><rss version="2.0"><channel><title>x</title><item><title>&lol9;</title>'
    b"<link>https://e.example/1</link></item></channel></rss>"
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<rss version="2.0"><channel><title>x</title><item><title>Japan Italy &x;</title>'
    b"<link>https://e.example/1</link></item></channel></rss>"
)
QUADRATIC = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "'
    + b"A" * 200_000
    + b'">]><rss version="2.0"><channel><title>x</title><item><title>'
    + b"&a;" * 20_000
    + b"</title><link>https://e.example/1</link></item></channel></rss>"
)


class Gate:
    """A handler that holds each request until `parties` requests are in flight at once (or
    every expected request has arrived), recording the most ever in flight. A fetcher that works
    one feed at a time never fills the gate, so its feeds time out instead of the test hanging."""

    def __init__(self, parties: int, expected: int, body: bytes) -> None:
        self.parties, self.expected, self.body = parties, expected, body
        self.in_flight = self.arrived = self.most = 0
        self._changed = asyncio.Condition()

    async def __call__(self, _request: Request, writer: asyncio.StreamWriter) -> None:
        async with self._changed:
            self.in_flight += 1
            self.arrived += 1
            self.most = max(self.most, self.in_flight)
            self._changed.notify_all()
            await self._changed.wait_for(
                lambda: self.in_flight >= self.parties or self.arrived >= self.expected
            )
        # Let the client's other tasks run for a while (loop turns, not time): a request that
        # should have been held back by a cap would arrive now and raise `most`.
        for _ in range(50):
            await asyncio.sleep(0)
        writer.write(response(200, self.body))
        await writer.drain()
        async with self._changed:
            self.in_flight -= 1
            self._changed.notify_all()
