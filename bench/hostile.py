"""Issue 11's acceptance check: one `amity refresh` over every kind of hostile feed at once,
beside healthy ones, all served on 127.0.0.1. It must end within its deadline plus a few seconds
of saving, peak under 300 MiB, and save every healthy feed.

    python -m bench.hostile [--deadline 10] [--healthy 10]

Prints one line per hostile feed (its status and error) and the totals; exits 1 when a target
is missed. The server runs in this process, the refresh in its own (its own peak RSS).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import sys
import tempfile
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

from .measure import run_child

PEAK_TARGET_MIB = 300
SAVE_GRACE_S = 5.0
Writer = asyncio.StreamWriter
Handler = Callable[[Writer], Awaitable[None]]


def _response(status: int, body: bytes, **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status} X", "Content-Type: application/rss+xml"]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    lines += [f"Content-Length: {len(body)}", "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _rss(items: list[str], title: str = "Feed") -> bytes:
    body = "".join(f"<item>{item}</item>" for item in items)
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}'
        f"</title>{body}</channel></rss>"
    ).encode()


def _item(n: int, host: str, summary: str = "", day: int | None = None) -> str:
    date = f"{(day if day is not None else n % 28) + 1:02d} Jan 2026"
    return (
        f"<title>Japan and Italy topic {host} {n}</title><link>https://{host}/a/{n}</link>"
        f"<pubDate>Fri, {date} 10:00:00 +0900</pubDate>"
        f"<description>Italian and Japanese officials, item {n}.{summary}</description>"
    )


def _fixed(raw: bytes) -> Handler:
    async def handler(writer: Writer) -> None:
        writer.write(raw)

    return handler


async def _hang(_writer: Writer) -> None:
    await asyncio.Event().wait()


async def _drip(writer: Writer) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
    for _ in range(100_000):
        writer.write(b" ")
        await writer.drain()
        await asyncio.sleep(0.05)


async def _cut(writer: Writer) -> None:
    # A connection cut mid-document, with no length announced: the body simply ends.
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n\r\n")
    writer.write(_rss([_item(n, "cut.example") for n in range(20)])[:-200])
    await writer.drain()


def hostile_routes() -> dict[str, Handler]:
    """Every hostile feed of issue 11, by path."""
    laughs = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">]><rss><channel>'
    return {
        "/retry-after": _fixed(_response(429, b"slow", Retry_After="²")),
        "/flood-8000": _fixed(
            _response(200, _rss([_item(n, "flood.example", day=3) for n in range(8000)]))
        ),
        "/entries-100k": _fixed(
            _response(
                200,
                _rss(
                    [
                        f"<title>Japan Italy {n}</title><link>https://m.example/{n}</link>"
                        for n in range(100_000)
                    ]
                ),
            )
        ),
        "/regex-defeat": _fixed(
            _response(
                200,
                _rss([_item(n, "html.example", "&lt;script&gt;" * 2500) for n in range(250)]),
            )
        ),
        "/huge-channel-title": _fixed(
            _response(
                200,
                _rss([_item(n, "title.example") for n in range(100)], title="wide " * 1_060_000),
            )
        ),
        "/escapes": _fixed(
            _response(
                200,
                _rss([_item(1, "esc.example")], title="\u009b2J\u202eEvil\u009b]52;c;aGk=\u0007"),
            )
        ),
        "/truncated": _fixed(_response(200, b"<rss><channel><title>x</ti")),
        "/cut-connection": _cut,
        "/never": _hang,
        "/drip": _drip,
        "/gzip-bomb": _fixed(
            _response(200, gzip.compress(b"\0" * (64 * 1024 * 1024)), Content_Encoding="gzip")
        ),
        "/deep-json": _fixed(
            _response(200, b'{"items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
        ),
        "/entities": _fixed(_response(200, laughs)),
        "/huge-etag": _fixed(
            _response(200, _rss([_item(1, "etag.example")]), ETag='"' + "e" * 8000 + '"')
        ),
        "/redirect-loop": _fixed(_response(302, b"", Location="/redirect-loop")),
        "/over-cap": _fixed(_response(200, b"<rss>" + b"x" * (16 * 1024 * 1024))),
    }


def healthy_routes(count: int) -> dict[str, Handler]:
    """`count` ordinary feeds of 20 relevant items each, on distinct days per feed."""
    return {
        f"/healthy-{k}": _fixed(
            _response(200, _rss([_item(n, f"ok{k}.example", day=k) for n in range(20)]))
        )
        for k in range(count)
    }


class Server:
    """All routes on one port of 127.0.0.1, served from a thread with its own event loop."""

    def __init__(self, routes: dict[str, Handler]) -> None:
        self.routes = routes
        self.port = 0
        self._tasks: set[asyncio.Task[None]] = set()  # asyncio holds connection tasks weakly
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Server:
        self._thread.start()
        self._ready.wait()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0, limit=1 << 20)
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        pending = asyncio.all_tasks(self._loop)  # the hanging and dripping answers
        for task in pending:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: Writer) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split(b" ", 2)[1].decode("latin-1")
            await self.routes.get(path, _fixed(_response(404, b"")))(writer)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deadline", type=float, default=10.0, help="[refresh] deadline, s")
    parser.add_argument("--healthy", type=int, default=10, help="healthy feeds beside them")
    args = parser.parse_args()
    hostile, healthy = hostile_routes(), healthy_routes(args.healthy)
    with tempfile.TemporaryDirectory() as folder, Server({**hostile, **healthy}) as server:
        db, config = Path(folder, "amity.json"), Path(folder, "config.toml")
        config.write_text(f"[refresh]\ndeadline = {args.deadline}\n", encoding="utf-8")
        env = {**os.environ, "AMITY_DB": str(db), "AMITY_CONFIG": str(config)}
        amity = str(Path(sys.executable).with_name("amity"))
        urls = [server.url(p) for p in [*hostile, *healthy]]
        code = "\n".join(
            [
                "import sys",
                "from amity.store import Feed, Store",
                "store = Store.open(sys.argv[1])",
                "with store.transaction() as txn:",
                "    for url in list(txn.feeds()):",
                "        txn.remove_feed(url)",
                "    txn.put_feeds(Feed(url=u) for u in sys.argv[2:])",
            ]
        )
        setup = run_child([sys.executable, "-c", code, str(db), *urls], env=env)
        assert setup.returncode == 0, setup.stderr
        size_before = db.stat().st_size
        run = run_child([amity, "refresh", "--json"], env=env, timeout=args.deadline * 10)
        report = json.loads(run.stdout)
        results = {r["url"]: r for r in report["feeds"]}
        for path in hostile:
            result = results[server.url(path)]
            print(f"{path:22} {result['status']:6} new={result['new']:<4} {result['error'] or ''}")
        healthy_ok = sum(results[server.url(p)]["status"] == "ok" for p in healthy)
        saved = run_child([amity, "list", "--json"], env=env)
        hosts = {s["url"].split("/")[2] for e in json.loads(saved.stdout) for s in e["sources"]}
        healthy_saved = sum(f"ok{k}.example" in hosts for k in range(args.healthy))
        peak_mib = run.peak_kib / 1024
        limit = args.deadline + 1.0 + SAVE_GRACE_S  # the refresh's own grace, then saving
        print()
        print(f"refresh: exit {run.returncode}, {run.seconds:.2f} s (limit {limit:g} s)")
        print(f"peak RSS: {peak_mib:.0f} MiB (limit {PEAK_TARGET_MIB} MiB)")
        print(f"store: {size_before:,} -> {db.stat().st_size:,} bytes")
        print(f"new articles: {report['new_articles']}, new events: {report['new_events']}")
        print(f"healthy feeds: ok {healthy_ok}/{args.healthy}, saved {healthy_saved}")
        met = (
            run.seconds <= limit
            and peak_mib < PEAK_TARGET_MIB
            and healthy_ok == healthy_saved == args.healthy
        )
        print("targets met" if met else "TARGETS MISSED")
        return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
