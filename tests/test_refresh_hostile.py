"""Every kind of bad feed fails alone with a clear error, and the good feeds still refresh.

All against a real HTTP server on 127.0.0.1 started by the test (tests/feedserver.py).
"""

from __future__ import annotations

import asyncio
import gzip
import socket

import pytest
from amity.feeds import refresh
from feedserver import (
    BILLION_LAUGHS,
    QUADRATIC,
    XXE,
    FeedServer,
    item,
    relevant_item,
    response,
    rss,
    self_signed_tls,
    short_config,
    store_with,
)

CAP = 256 * 1024


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def never(_request, _writer) -> None:
    await asyncio.Event().wait()


async def drip(_request, writer) -> None:
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 5000\r\n\r\n"
    )
    for _ in range(5000):
        writer.write(b" ")
        await writer.drain()
        await asyncio.sleep(0.05)  # the hostile server's pace, not a test timing


@pytest.mark.slow
async def test_each_bad_feed_fails_alone_with_a_clear_error(server, tmp_path):
    good = server.serve("/good", rss(*(relevant_item(n) for n in range(3))))
    server.serve("/target", rss(relevant_item(7)))
    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024))
    cases = {
        server.serve("/404", b"gone", 404): "HTTP 404",
        server.serve("/500", b"oops", 500): "HTTP 500",
        server.handle("/hang", never): "timed out",
        server.handle("/drip", drip): "timed out",
        f"http://127.0.0.1:{closed_port()}/refused": "cannot connect",
        server.serve("/loop", b"", 302, Location="/loop"): "too many redirects",
        server.serve("/to-file", b"", 301, Location="file:///etc/passwd"): "only http and https",
        server.serve("/big", rss(item("x" * CAP, "https://n.example/1"))): "larger than the cap",
        server.serve("/bomb", bomb, Content_Encoding="gzip"): "larger than the cap",
        server.serve("/badgzip", b"not gzip", Content_Encoding="gzip"): "corrupt gzip",
        server.serve("/br", b"x", Content_Encoding="br"): "unsupported content encoding",
        server.serve(
            "/html", b"<!doctype html><html><body>Hello</body></html>", Content_Type="text/html"
        ): "HTML page",
        server.serve("/garbage", b"<<<this is not xml>>> at all"): "not a feed",
        server.serve(
            "/badjson", b'{"items": [1, 2', Content_Type="application/json"
        ): "not valid JSON",
        server.serve("/empty-body", b""): "empty response",
        server.serve("/laughs", BILLION_LAUGHS): "declares XML entities",
        server.serve("/xxe", XXE): "declares XML entities",
        server.serve("/quadratic", QUADRATIC): "declares XML entities",
    }
    fine = {
        server.serve("/empty-feed", rss()): 0,
        server.serve("/to-good", b"", 302, Location="/target"): 1,
        server.serve(
            "/latin1", rss(item("Roma e Tōkyō", "https://n.example/l")).decode().encode("utf-8")
        ): 0,
        server.serve(
            "/hostile-entries",
            rss(
                "<title>no link</title>",
                item(
                    "Japan Italy ancient", "https://n.example/old", "Mon, 01 Jan 1066 00:00:00 GMT"
                ),
                item("Japan &lt;b&gt;Italy&lt;/b&gt; \x1b[31m[/b]", "https://n.example/m", None),
            ),
        ): 2,
    }
    store = store_with(tmp_path / "db.json", [good, *cases, *fine])
    config = short_config(deadline=1.0, max_bytes=CAP)

    report = await refresh(store, config)

    results = {r.url: r for r in report.feeds}
    assert results[good].status == "ok" and results[good].new == 3
    for url, reason in cases.items():
        assert results[url].status == "error", url
        assert reason in results[url].error, (url, results[url].error)
    for url, new in fine.items():
        assert results[url].status == "ok", (url, results[url].error)
        assert results[url].new == new, url
    assert report.failed == len(cases)
    # Everything that worked was saved; each failure is recorded against its own feed.
    snapshot = store.snapshot()
    feeds = {f.url: f for f in snapshot.feeds}
    assert feeds[good].status == "ok" and feeds[good].last_ok
    for url, reason in cases.items():
        assert feeds[url].status == "error" and reason in feeds[url].error
        assert feeds[url].failures == 1 and feeds[url].next_check
    titles = {e.title for e in snapshot.events}
    assert "Japan and Italy orchestra0 0 news" in titles
    # Markup became text, the bracket tag stays literal, and the escape byte is gone.
    assert any(t.startswith("Japan Italy ") and t.endswith("[/b]") for t in titles)
    assert not any("\x1b" in e.title for e in snapshot.events)


async def test_user_agent_names_amity_and_its_home_page(server, tmp_path):
    url = server.serve("/feed", rss())
    await refresh(store_with(tmp_path / "db.json", [url]), short_config())
    agent = server.hits("/feed")[0].headers["user-agent"]
    assert agent.startswith("amity/") and "(+http" in agent


async def test_a_refresh_with_no_feeds_is_fine(tmp_path):
    report = await refresh(store_with(tmp_path / "db.json", []), short_config())
    assert report.feeds == () and report.failed == 0


def test_response_helper_sets_length():
    assert b"Content-Length: 2" in response(200, b"ok")


async def test_https_certificates_are_verified_also_after_a_redirect_from_http(server, tmp_path):
    tls = self_signed_tls(tmp_path)
    if tls is None:
        pytest.skip("needs the openssl command to make a certificate")
    impostor = await FeedServer().start(tls)
    try:
        forged = impostor.serve("/feed", rss(relevant_item(1)))
        hop = server.serve("/hop", b"", 302, Location=forged)
        good = server.serve("/good", rss(relevant_item(2)))
        store = store_with(tmp_path / "db.json", [forged, hop, good])
        report = await refresh(store, short_config())
    finally:
        await impostor.stop()
    errors = {r.url: r.error or "" for r in report.feeds}
    assert "CERTIFICATE_VERIFY_FAILED" in errors[forged]
    assert "CERTIFICATE_VERIFY_FAILED" in errors[hop]
    assert errors[good] == "" and report.new_articles == 1


@pytest.mark.parametrize("status", [300, 305])
async def test_a_3xx_that_is_no_redirect_is_an_error_not_a_feed(server, tmp_path, status):
    # A body that happens to parse must not make "Multiple Choices" or "Use Proxy" a success.
    url = server.serve("/odd", rss(relevant_item(1)), status)
    report = await refresh(store_with(tmp_path / "db.json", [url]), short_config())
    assert report.feeds[0].status == "error" and f"HTTP {status}" in report.feeds[0].error
    assert report.new_articles == 0


async def test_a_port_out_of_range_is_a_clear_error(server, tmp_path):
    # It used to surface as "cannot read this feed (ExceptionGroup(... OverflowError ...))".
    bad = "http://127.0.0.1:99999/feed"
    redirected = server.serve("/moved", b"", 302, Location=bad)
    report = await refresh(store_with(tmp_path / "db.json", [bad, redirected]), short_config())
    for result in report.feeds:
        assert result.status == "error" and result.error == "invalid URL: port out of range", result


async def test_a_host_that_does_not_parse_fails_its_feed_not_the_refresh(server, tmp_path):
    # `amity feeds add "http://[::1"` is taken; the refresh then died with a traceback
    # (ValueError: Invalid IPv6 URL, raised while queueing the feed for its host's slot).
    good = server.serve("/good", rss(relevant_item(1)))
    bad = "http://[::1/feed"
    report = await refresh(store_with(tmp_path / "db.json", [good, bad]), short_config())
    results = {r.url: r for r in report.feeds}
    assert results[good].status == "ok" and results[good].new == 1
    assert results[bad].status == "error"
    assert results[bad].error == "invalid URL: its host does not parse"


async def test_a_feed_in_the_charset_its_http_header_names_is_read_in_it(server, tmp_path):
    # A Japanese site's feed in Shift_JIS with no XML declaration, its charset only in the
    # Content-Type header: it was read as UTF-8 and stored as mojibake for good.
    title = "日本とイタリアが首脳会談、防衛協力で一致"
    body = rss(item(title, "https://n.example/sjis")).replace(b' encoding="utf-8"', b"")
    url = server.serve(
        "/sjis",
        body.decode().encode("cp932"),
        Content_Type="application/rss+xml; charset=Shift_JIS",
    )
    store = store_with(tmp_path / "db.json", [url])

    report = await refresh(store, short_config())

    assert report.feeds[0].status == "ok"
    titles = {s.title for e in store.snapshot().events for s in e.sources}
    assert title in titles


async def test_guids_that_are_no_identity_never_merge_different_articles(server, tmp_path):
    # A guid identifies an entry within its own feed: two sites both numbering their items
    # from 1 (JSON Feed ids often are), or one feed giving every item the same guid, made the
    # second article an "update" of the first: its title replaced the first's, under the
    # first's link, and its own link was lost.
    def entry(n: int, host: str, guid: str) -> str:
        return relevant_item(n, host).replace("</link>", f"</link><guid>{guid}</guid>", 1)

    one = server.serve("/one", rss(entry(1, "one.example", "1")))
    other = server.serve("/other", rss(entry(9, "other.example", "1")))
    same = server.serve("/same", rss(*(entry(n, "same.example", "x") for n in (20, 30))))
    store = store_with(tmp_path / "db.json", [one, other, same])

    await refresh(store, short_config())

    sources = {s.url: s.title for e in store.snapshot().events for s in e.sources}
    for n, host in [(1, "one"), (9, "other"), (20, "same"), (30, "same")]:
        assert sources.get(f"https://{host}.example/story/{n}", "").endswith(f" {n} news"), n


async def test_a_redirect_to_a_path_with_spaces_or_utf8_is_followed_as_a_browser_does(
    server, tmp_path
):
    # Location "/notizie roma" was refused as "only http and https URLs are fetched", and a
    # Location in raw UTF-8 ("/città") was read as Latin-1 and asked for the wrong path.
    server.serve("/notizie%20roma", rss(relevant_item(1)))
    server.serve("/citt%C3%A0", rss(relevant_item(2)))
    spaced = server.handle(
        "/spaced",
        raw(b"HTTP/1.1 301 Moved\r\nLocation: /notizie roma\r\nContent-Length: 0\r\n\r\n"),
    )
    utf8 = server.handle(
        "/utf8",
        raw("HTTP/1.1 301 Moved\r\nLocation: /città\r\nContent-Length: 0\r\n\r\n".encode()),
    )
    report = await refresh(store_with(tmp_path / "db.json", [spaced, utf8]), short_config())
    assert [(r.status, r.error, r.new) for r in report.feeds] == [("ok", None, 1)] * 2


def raw(answer: bytes):
    """A handler that sends these bytes as they are (headers no helper would write)."""

    async def handler(_request, writer) -> None:
        writer.write(answer)

    return handler


async def test_a_feed_sent_as_a_gzip_file_or_gzipped_twice_is_read(server, tmp_path):
    # A server that sends feed.xml.gz as it is (no Content-Encoding), or gzips a gzip file
    # again: "not a feed". No feed starts with gzip's magic bytes, so it is unpacked once more.
    plain = server.serve("/feed.xml.gz", gzip.compress(rss(relevant_item(1))))
    twice = server.serve(
        "/twice", gzip.compress(gzip.compress(rss(relevant_item(2)))), Content_Encoding="gzip"
    )
    bomb = server.serve("/bomb.gz", gzip.compress(b"\0" * (CAP * 4)))
    store = store_with(tmp_path / "db.json", [plain, twice, bomb])
    report = await refresh(store, short_config(max_bytes=CAP))
    results = {r.url: r for r in report.feeds}
    assert [(results[u].status, results[u].new) for u in (plain, twice)] == [("ok", 1)] * 2
    assert "larger than the cap" in (results[bomb].error or "")
