"""One feed over HTTP, politely and defensively: caps on time, size, redirects and parallelism."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import re
import ssl
import urllib.request
import zlib
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, metadata
from urllib.parse import urljoin, urlsplit

import httpx
from amity.store import RefreshSettings, __version__

from .articles import is_web_url, safe_url

REDIRECTS = (301, 302, 303, 307, 308)
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


def user_agent() -> str:
    """'amity/<version> (+<home page>)', so feed owners know who is asking."""
    try:
        home = (metadata("amity").get_all("Project-URL") or [""])[0].split(",")[-1].strip()
    except PackageNotFoundError:
        home = ""
    return f"amity/{__version__} (+{home or 'https://github.com/amity-timeline/amity'})"


class FetchError(Exception):
    """The feed could not be fetched; the message is the feed's error text."""

    def __init__(
        self,
        message: str,
        *,
        answered: bool = True,
        retry_after: str | None = None,
        charged: bool = True,
    ):
        super().__init__(message)
        self.answered = answered  # False when no server answered at all (network trouble)
        self.retry_after = retry_after
        self.charged = charged  # False when the feed was not at fault (no backoff for it)


@dataclass(frozen=True, slots=True)
class Fetched:
    """A successful answer: a body (status 'ok') or nothing new ('not-modified'). The body is
    as received, still compressed if `encoding` says so: see `content`."""

    status: str
    body: bytes
    etag: str | None
    last_modified: str | None
    cache_control: str | None
    url: str
    encoding: str = "identity"
    charset: str | None = None  # as the Content-Type header names it

    def content(self, max_bytes: int) -> bytes:
        """The body decompressed, or FetchError when it is corrupt or over `max_bytes`. CPU
        work, so a refresh calls it in its parse thread, not on the event loop."""
        return decompressed(self.body, self.encoding, max_bytes)


class Limiter:
    """A global cap on requests in flight and a per-host cap, so no site gets more than `per_host`
    requests at once and one slow site never holds up the others; and a cap on bodies read but
    not yet parsed (default twice the global cap), which bounds memory without making the next
    request wait for the last body's parse."""

    def __init__(self, total: int, per_host: int, bodies: int | None = None) -> None:
        self._slots = _Slots(max(1, total), max(1, per_host))
        self._bodies = asyncio.Semaphore(max(1, bodies or 2 * total))

    @contextlib.asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[Callable[[], None]]:
        """Hold a request slot (one of the URL's host's and one of all), then room for one
        body. Calling the yielded function gives the request slot back early (once the body is
        read); the room for the body is held until the block ends."""
        # Host and port as written: parsing the port would raise for one out of range, and the
        # fetch is where a bad URL becomes that feed's error.
        try:
            host = urlsplit(url).netloc.rpartition("@")[2].lower()
        except ValueError:  # "http://[::1": its fetch says so, as that feed's error
            host = url
        await self._slots.acquire(host)
        held = True

        def release() -> None:
            nonlocal held
            if held:
                held = False
                self._slots.release(host)

        try:
            async with self._bodies:
                yield release
        finally:
            release()


class _Slots:
    """Request slots, `total` in all and `per_host` for each host. A free slot goes to a feed
    of the host with the most feeds waiting (the first host to ask among equals), whose own
    slots are not all taken: a host's feeds go `per_host` at a time, so the busiest host's
    queue is the refresh's longest chain, and started behind every other feed it would end
    last (one host with 30 of 100 feeds, 16 at a time: 1.73 s against 1.52 s for 100 ms
    answers). Slots are handed out on the loop's next turn, so that every feed asking in this
    one is considered: all of a refresh's feeds at its start."""

    def __init__(self, total: int, per_host: int) -> None:
        self._free, self._per_host = total, per_host
        self._waiting: dict[str, deque[asyncio.Future[None]]] = {}  # by host, in asking order
        self._busy: dict[str, int] = {}  # slots taken, by host
        self._order: dict[str, int] = {}  # when each host first asked
        # (-feeds waiting, order, host) for hosts that may take a slot, and the feeds waiting
        # that each host's newest entry says: an older entry is skipped when it comes up.
        self._ranked: list[tuple[int, int, str]] = []
        self._listed: dict[str, int] = {}
        self._handing = False

    async def acquire(self, host: str) -> None:
        """Take a slot for a request to `host`, waiting for one."""
        turn = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(host, deque()).append(turn)
        self._rank(host)
        try:
            await turn
        except BaseException:
            if turn.done() and not turn.cancelled():
                self.release(host)  # given a slot as the wait was cancelled: pass it on
            raise

    def release(self, host: str) -> None:
        """Give back a slot taken for `host`."""
        self._free += 1
        self._busy[host] -= 1
        self._rank(host)

    def _rank(self, host: str) -> None:
        # The host as it stands now, if it may take a slot and its entry says otherwise; then
        # free slots are handed out on the loop's next turn (unless that is under way).
        queue = self._waiting.get(host)
        while queue and queue[0].done():  # cancelled while waiting
            queue.popleft()
        eligible = bool(queue) and self._busy.get(host, 0) < self._per_host
        if queue and eligible and self._listed.get(host) != len(queue):
            self._listed[host] = len(queue)
            order = self._order.setdefault(host, len(self._order))
            heapq.heappush(self._ranked, (-len(queue), order, host))
        if self._free and self._ranked and not self._handing:
            self._handing = True
            asyncio.get_running_loop().call_soon(self._give)

    def _give(self) -> None:
        while self._free and self._ranked:
            waiting, _order, host = heapq.heappop(self._ranked)
            if self._listed.get(host) != -waiting:
                continue  # a newer entry of the host's stands
            del self._listed[host]
            queue = self._waiting[host]
            current = -waiting == len(queue) and not queue[0].done()
            if current and self._busy.get(host, 0) < self._per_host:
                self._busy[host] = self._busy.get(host, 0) + 1
                self._free -= 1
                queue.popleft().set_result(None)
            self._rank(host)  # as it stands now, if it may take another slot
        self._handing = False


def _says_it_has_a_body(headers: httpx.Headers) -> bool:
    return "transfer-encoding" in headers or headers.get("content-length", "0").strip() != "0"


def make_client(
    settings: RefreshSettings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The shared client: no automatic redirects (followed by hand, to check each hop). A given
    `transport` answers every request (httpx.MockTransport: decisions tested without sockets)."""
    limits = httpx.Limits(
        max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency
    )
    if transport is None and not urllib.request.getproxies():  # proxies: httpx's transports
        transport = _ByHost(settings.per_host, keep=2 * settings.concurrency)
    return httpx.AsyncClient(
        follow_redirects=False,
        timeout=httpx.Timeout(settings.deadline),
        limits=limits,
        transport=transport,
        headers={"User-Agent": user_agent(), "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"},
    )


# For the pools of plain-http hosts, which never start TLS. Should one ever, this context requires
# a certificate and trusts none, so it fails closed.
_NO_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
_Host = tuple[bytes, bytes, int | None]


class _ByHost(httpx.AsyncBaseTransport):
    """httpx's transport with one connection pool per host (scheme, host, port) instead of one
    for every host. A pool looks at each of its idle connections whenever a request starts or
    ends in it (a poll and a getpeername, each of which lets the parse thread take the GIL,
    so the event loop waits for it again): one pool of 16 connections made that ~12 looks per
    request, 2,500 for 100 feeds; a host's pool holds at most `per_host`. The pools of the
    `keep` hosts used last stay open for their next feed; older ones with no request under
    way are closed, so many hosts never pile up idle sockets. Certificates are verified with
    one context, loaded on the first https request (~35 ms, never for feeds all plain http)."""

    def __init__(self, per_host: int, keep: int) -> None:
        self._limits = httpx.Limits(max_connections=per_host, max_keepalive_connections=per_host)
        self._keep = keep
        self._pools: dict[_Host, httpx.AsyncHTTPTransport] = {}  # least recently used first
        self._busy: dict[_Host, int] = {}
        self._verified: ssl.SSLContext | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        host = (url.raw_scheme, url.raw_host, url.port)
        pool = self._pools.pop(host, None) or self._pool(url.scheme == "https")
        self._pools[host] = pool
        self._busy[host] = self._busy.get(host, 0) + 1
        try:
            response = await pool.handle_async_request(request)
        except BaseException:
            await self._release(host)
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)  # an async transport's
        stream = _Released(response.stream, lambda: self._release(host))
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=stream,
            extensions=response.extensions,
        )

    def _pool(self, https: bool) -> httpx.AsyncHTTPTransport:
        verify = _NO_TLS
        if https:
            if self._verified is None:
                self._verified = httpx.create_ssl_context()
            verify = self._verified
        return httpx.AsyncHTTPTransport(verify=verify, limits=self._limits)

    async def _release(self, host: _Host) -> None:
        self._busy[host] -= 1
        idle = [h for h in self._pools if not self._busy[h]]
        # Taken out before the first await: other requests start and end while a pool closes,
        # and must neither close it again nor be given it.
        closing = [self._take(h) for h in idle[: max(0, len(self._pools) - self._keep)]]
        await _close_all(closing)

    def _take(self, host: _Host) -> httpx.AsyncHTTPTransport:
        del self._busy[host]
        return self._pools.pop(host)

    async def aclose(self) -> None:
        for pool in self._pools.values():
            await pool.aclose()


async def _close_all(pools: list[httpx.AsyncHTTPTransport]) -> None:
    # Every pool is closed even when one close is cancelled or fails: they are in no table now.
    if pools:
        try:
            await pools[0].aclose()
        finally:
            await _close_all(pools[1:])


class _Released(httpx.AsyncByteStream):
    """A response body that says when it is closed (its request is over)."""

    def __init__(
        self, stream: httpx.AsyncByteStream, closed: Callable[[], Awaitable[None]]
    ) -> None:
        self._stream, self._closed = stream, closed
        self._open = True

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if self._open:
                self._open = False
                await self._closed()


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    settings: RefreshSettings,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    body_coming: Callable[[], object] = lambda: None,
) -> Fetched:
    """GET a feed within `settings.deadline` seconds in total (body included), or raise
    FetchError with the reason. `body_coming()` is called when a body is about to be read."""
    try:
        async with asyncio.timeout(settings.deadline):
            return await _fetch(client, url, settings, etag, last_modified, body_coming)
    except TimeoutError:
        raise FetchError(
            f"timed out: no complete response within {settings.deadline:g} s", answered=False
        ) from None
    except httpx.ConnectError as exc:
        raise FetchError(f"cannot connect: {_reason(exc)}", answered=False) from None
    except httpx.TimeoutException:
        raise FetchError("timed out waiting for the server", answered=False) from None
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
        raise FetchError(f"connection broken: {_reason(exc)}") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"request failed: {_reason(exc)}") from None


async def _fetch(
    client: httpx.AsyncClient,
    url: str,
    settings: RefreshSettings,
    etag: str | None,
    last_modified: str | None,
    body_coming: Callable[[], object],
) -> Fetched:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    current = url
    for _hop in range(settings.max_redirects + 1):
        if not is_web_url(current):
            raise FetchError(f"refused: only http and https URLs are fetched, not {current[:80]!r}")
        try:
            _ = urlsplit(current).port  # out of range, it fails deep in the connect, unclearly
        except ValueError as exc:
            problem = "port out of range" if "Port" in str(exc) else "its host does not parse"
            raise FetchError(f"invalid URL: {problem}") from None
        async with client.stream("GET", current, headers=headers) as response:
            code = response.status_code
            location = response.headers.get("location")
            if code in REDIRECTS and location:
                # As a browser follows it: its UTF-8 read as such, spaces percent-encoded.
                current = safe_url(urljoin(current, _as_utf8(location).strip()))
                continue
            new_etag = _validator(response.headers.get("etag")) or etag
            new_modified = _validator(response.headers.get("last-modified")) or last_modified
            cache_control = response.headers.get("cache-control")
            if code == 304:
                # It has no body, but its end must be read: a response closed before its end
                # closes its connection, and the host's next feed would connect again. Unless
                # it says it has one: the client ends it at its headers, and a body sent against
                # the standard would be read as the next answer on the connection, failing
                # another feed (a Content-Length the standard allows only costs a connection).
                if not _says_it_has_a_body(response.headers):
                    await response.aread()
                return Fetched("not-modified", b"", new_etag, new_modified, cache_control, current)
            if not 200 <= code < 300:  # a 3xx here is no usable redirect
                raise FetchError(
                    f"HTTP {code} {response.reason_phrase}".strip(),
                    retry_after=response.headers.get("retry-after") if code in (429, 503) else None,
                )
            if etag and response.headers.get("etag") == etag:
                # A server that ignores If-None-Match but sends the same ETag: nothing new.
                return Fetched("not-modified", b"", new_etag, new_modified, cache_control, current)
            body_coming()
            body, encoding = await read_capped(response, settings.max_bytes)
            charset = _charset(response.headers.get("content-type", ""))
            return Fetched(
                "ok", body, new_etag, new_modified, cache_control, current, encoding, charset
            )
    raise FetchError(f"too many redirects (more than {settings.max_redirects})")


async def read_capped(response: httpx.Response, max_bytes: int) -> tuple[bytes, str]:
    """The body as received and its content coding, counted as it streams: a body that is
    over the cap even compressed stops there (see `decompressed` for the rest of the cap)."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        encoding, limit = "identity", max_bytes
    elif encoding in ("gzip", "x-gzip", "deflate"):
        # Compressing makes nothing but incompressible data bigger, by far less than this.
        limit = max_bytes + max_bytes // 500 + 1024
    else:
        raise FetchError(f"unsupported content encoding {encoding[:40]!r}")
    chunks: list[bytes] = []
    size = 0
    async for raw in response.aiter_raw():
        size += len(raw)
        if size > limit:
            raise FetchError(f"body larger than the cap of {_size(max_bytes)}")
        chunks.append(raw)
    return b"".join(chunks), encoding


def decompressed(body: bytes, encoding: str, max_bytes: int) -> bytes:
    """A body in its content coding (identity, gzip or deflate), decompressed no further than
    one byte past the cap, so a compression bomb fails at the cap instead of filling memory.
    A body that is itself a gzip file (a server sending `feed.xml.gz` as it is, or gzip twice)
    is decompressed once more: no feed starts with gzip's magic bytes."""
    if encoding != "identity":
        body = _decoded(body, encoding, max_bytes)
    return _decoded(body, "gzip", max_bytes) if body[:2] == _GZIP_MAGIC else body


_GZIP_MAGIC = b"\x1f\x8b"


def _decoded(body: bytes, encoding: str, max_bytes: int) -> bytes:
    decoder = zlib.decompressobj(zlib.MAX_WBITS | 16) if "gzip" in encoding else _Deflate()
    try:
        data = decoder.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise FetchError(f"corrupt {encoding} body ({exc})") from None
    if len(data) > max_bytes:
        raise FetchError(f"body larger than the cap of {_size(max_bytes)}")
    return data


class _Deflate:
    """HTTP 'deflate' is zlib-wrapped by the spec but raw deflate from some servers."""

    def __init__(self) -> None:
        self._decoder = zlib.decompressobj()
        self._first = True

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._first:
            self._first = False
            try:
                return self._decoder.decompress(data, max_length)
            except zlib.error:
                self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._decoder.decompress(data, max_length)


_CHARSET = re.compile(r";\s*charset\s*=\s*[\"']?([A-Za-z0-9._:-]{1,40})", re.I)


def _charset(content_type: str) -> str | None:
    match = _CHARSET.search(content_type)
    return match.group(1) if match else None


def _as_utf8(header: str) -> str:
    # httpx reads a header's bytes as Latin-1; a Location is most often UTF-8 when not ASCII.
    try:
        return header.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return header


def _validator(value: str | None) -> str | None:
    # Stored with the feed and sent back on the next request: a short printable ASCII value,
    # or nothing (a server may send kilobytes, or bytes no request header may carry).
    if value and len(value) <= 1024 and value.isascii() and value.isprintable():
        return value
    return None


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MiB" if n >= 1024 * 1024 else f"{n} bytes"
