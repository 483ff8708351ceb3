"""A local feed server for the benchmark: many hosts, a fixed latency, conditional GET, gzip.

It runs in its own process (`FeedServer` starts `python -m bench.feedserver`) so that serving never
competes with the measured client for an event loop. Each of `hosts` loopback addresses
(127.0.0.1, 127.0.0.2, ...) listens on its own port, as feeds in the wild live on different
hosts. Every response waits `latency` seconds first, like a distant server. Each feed has a
stable ETag and Last-Modified; a request that presents either gets 304 Not Modified.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import json
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path

from .synth import BASE_TIME, RELEVANT_SHARE, FeedDoc, make_feeds

LAST_MODIFIED = format_datetime(BASE_TIME, usegmt=True)


@dataclass
class _Resource:
    body: bytes
    gzipped: bytes
    content_type: str
    etag: str


@dataclass
class _Counts:
    requests: int = 0
    ok: int = 0
    not_modified: int = 0
    not_found: int = 0
    connections: int = 0  # that asked for a feed
    paths: set[str] = field(default_factory=set)


class _Handler:
    def __init__(self, docs: list[FeedDoc], latency: float) -> None:
        self.latency = latency
        self.counts = _Counts()
        self.resources = {
            d.path: _Resource(
                d.body,
                gzip.compress(d.body, 6, mtime=0),
                d.content_type,
                '"' + hashlib.sha1(d.body).hexdigest()[:16] + '"',
            )
            for d in docs
        }

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        first = True
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _version = lines[0].split(" ", 2)
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                keep = headers.get("connection", "").lower() != "close"
                if first and not target.startswith("/_stats"):
                    self.counts.connections += 1
                first = False
                writer.write(await self._respond(method, target, headers, keep))
                await writer.drain()
                if not keep:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    async def _respond(
        self, method: str, target: str, headers: dict[str, str], keep: bool
    ) -> bytes:
        path = target.split("?", 1)[0]
        if path == "/_stats":
            body = json.dumps(
                {
                    "requests": self.counts.requests,
                    "ok": self.counts.ok,
                    "not_modified": self.counts.not_modified,
                    "not_found": self.counts.not_found,
                    "connections": self.counts.connections,
                }
            ).encode()
            if "reset" in target:
                self.counts = _Counts()
            return _response(200, {"Content-Type": "application/json"}, body, keep)
        self.counts.requests += 1
        if self.latency:
            await asyncio.sleep(self.latency)
        res = self.resources.get(path)
        if res is None:
            self.counts.not_found += 1
            return _response(404, {"Content-Type": "text/plain"}, b"not found", keep)
        validators = {"ETag": res.etag, "Last-Modified": LAST_MODIFIED}
        inm = headers.get("if-none-match")
        ims = headers.get("if-modified-since")
        if (inm and res.etag in inm) or (not inm and ims == LAST_MODIFIED):
            self.counts.not_modified += 1
            return _response(304, validators, b"", keep)
        self.counts.ok += 1
        extra = {"Content-Type": res.content_type, **validators}
        body = res.body
        if "gzip" in headers.get("accept-encoding", ""):
            body = res.gzipped
            extra["Content-Encoding"] = "gzip"
        return _response(200, extra, b"" if method == "HEAD" else body, keep, len(body))


_REASONS = {200: "OK", 304: "Not Modified", 404: "Not Found"}


def _response(
    status: int, headers: dict[str, str], body: bytes, keep: bool, length: int | None = None
) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS[status]}", "Server: amity-bench"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if status != 304:
        lines.append(f"Content-Length: {len(body) if length is None else length}")
    lines.append("Connection: keep-alive" if keep else "Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _serve(count: int, entries: int, hosts: int, latency: float, relevant: float) -> None:
    handler = _Handler(make_feeds(count, entries, relevant=relevant), latency)
    servers = [
        await asyncio.start_server(handler.serve, f"127.0.0.{h + 1}", 0, backlog=1024)
        for h in range(hosts)
    ]
    addresses = [s.sockets[0].getsockname()[:2] for s in servers]
    print(json.dumps(addresses), flush=True)
    # Serve until the parent closes our stdin.
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


class FeedServer:
    """The server process, as a context manager; `urls` are the feeds in synth order."""

    def __init__(
        self,
        count: int,
        *,
        entries: int = 50,
        hosts: int = 16,
        latency: float = 0.1,
        relevant: float = RELEVANT_SHARE,
    ):
        self.count, self.entries, self.latency = count, entries, latency
        self.relevant = relevant
        self.hosts = max(1, min(hosts, count))
        self.docs = make_feeds(count, entries, relevant=relevant)
        self.urls: list[str] = []
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> FeedServer:
        args = [str(a) for a in (self.count, self.entries, self.hosts, self.latency, self.relevant)]
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "bench.feedserver", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        line = self._proc.stdout.readline() if self._proc.stdout else ""
        if not line:
            raise RuntimeError("the feed server did not start")
        self.addresses = [tuple(a) for a in json.loads(line)]
        self.urls = [
            "http://{}:{}{}".format(*self.addresses[d.index % self.hosts], d.path)
            for d in self.docs
        ]
        return self

    def stats(self, reset: bool = False) -> dict[str, int]:
        """Requests served since the last reset: requests, ok, not_modified, not_found, and
        the connections they came on."""
        host, port = self.addresses[0]
        suffix = "?reset=1" if reset else ""
        with urllib.request.urlopen(f"http://{host}:{port}/_stats{suffix}", timeout=5) as r:
            return json.loads(r.read())

    def __exit__(self, *exc: object) -> None:
        if self._proc:
            if self._proc.stdin:
                self._proc.stdin.close()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


def main() -> None:
    """Entry point of the server process: COUNT ENTRIES HOSTS LATENCY RELEVANT."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int)
    parser.add_argument("entries", type=int)
    parser.add_argument("hosts", type=int)
    parser.add_argument("latency", type=float)
    parser.add_argument("relevant", type=float)
    args = parser.parse_args()
    asyncio.run(_serve(args.count, args.entries, args.hosts, args.latency, args.relevant))


if __name__ == "__main__":
    main()
