"""A refresh keeps connections open for the hosts it is about to ask again, not one for every
host it has asked: feeds on many hosts never pile up idle sockets (a process has ~1,024)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from pathlib import Path

import pytest
from amity.feeds.fetch import fetch, make_client
from amity.store import RefreshSettings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.feedserver import FeedServer  # a keep-alive server on many loopback hosts

FD = Path("/proc/self/fd")


def open_sockets() -> int:
    """Sockets this process holds open now."""
    count = 0
    for fd in os.listdir(FD):
        with contextlib.suppress(OSError):  # closed meanwhile (listdir's own descriptor)
            count += os.readlink(FD / fd).startswith("socket:")
    return count


@pytest.mark.skipif(not FD.is_dir(), reason="counts descriptors in /proc")
def test_feeds_on_many_hosts_keep_few_connections_open() -> None:
    settings = RefreshSettings(concurrency=3, per_host=2)
    with FeedServer(24, entries=2, hosts=24, latency=0.0) as server:

        async def fetch_all() -> tuple[int, list[str]]:
            before = open_sockets()
            async with make_client(settings) as client:
                answers = []
                for url in server.urls:  # one host after another, 24 in all
                    answers.append((await fetch(client, url, settings)).status)
                return open_sockets() - before, answers

        held, answers = asyncio.run(fetch_all())
    assert answers == ["ok"] * 24
    # The pools of the 2 × 3 hosts asked last stay open for their next feed, the others close.
    assert held <= 2 * settings.concurrency * settings.per_host


def test_feeds_on_many_hosts_fetched_at_once_all_succeed() -> None:
    # Requests on many hosts start and end while the pools of older hosts are being closed:
    # every feed must still be read (a pool closed twice, or closed under a new request, failed
    # a third of them).
    settings = RefreshSettings(concurrency=16, per_host=2)
    with FeedServer(100, entries=2, hosts=100, latency=0.01) as server:

        async def fetch_all() -> list[str]:
            async with make_client(settings) as client:
                gate = asyncio.Semaphore(settings.concurrency)

                async def one(url: str) -> str:
                    async with gate:
                        return (await fetch(client, url, settings)).status

                return list(await asyncio.gather(*(one(url) for url in server.urls)))

        answers = asyncio.run(fetch_all())
    assert answers == ["ok"] * 100


def test_a_host_whose_feeds_did_not_change_is_asked_over_one_connection() -> None:
    # A 304 has no body, but a connection is reusable only once the answer's end is read:
    # otherwise each feed of the host connects again (over https, a handshake each).
    settings = RefreshSettings(concurrency=1, per_host=1)
    with FeedServer(6, entries=2, hosts=1, latency=0.0) as server:

        async def fetch_all(etags: list[str | None]) -> list[tuple[str, str | None]]:
            async with make_client(settings) as client:
                answers = []
                for url, etag in zip(server.urls, etags, strict=True):
                    fetched = await fetch(client, url, settings, etag=etag)
                    answers.append((fetched.status, fetched.etag))
                return answers

        first = asyncio.run(fetch_all([None] * 6))
        server.stats(reset=True)
        again = asyncio.run(fetch_all([etag for _, etag in first]))
        served = server.stats()
    assert [status for status, _ in again] == ["not-modified"] * 6
    assert (served["not_modified"], served["connections"]) == (6, 1)


async def test_a_not_modified_answer_with_a_body_breaks_no_other_feed_of_its_host() -> None:
    # A server that sends a body with its 304 (against the standard, Content-Length and all):
    # the client takes the answer as ending at its headers, so the body's bytes would be read as
    # the answer to the host's next feed over the same connection, and that feed would fail.
    feed = b"<rss version='2.0'><channel><title>Good</title></channel></rss>"
    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if head.split(b" ")[1] == b"/broken":
                    writer.write(b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n')
                    writer.write(b"Content-Length: 12\r\n\r\nnot modified")
                else:
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n")
                    writer.write(b"Content-Length: %d\r\n\r\n%s" % (len(feed), feed))
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = RefreshSettings(concurrency=1, per_host=1)
    try:
        async with make_client(settings) as client:
            broken = await fetch(client, f"http://127.0.0.1:{port}/broken", settings, etag='"v1"')
            good = await fetch(client, f"http://127.0.0.1:{port}/good", settings)
    finally:
        server.close()
        await server.wait_closed()

    assert broken.status == "not-modified"
    assert (good.status, good.body) == ("ok", feed)
    assert connections == 2  # the broken answer's connection was not used again
