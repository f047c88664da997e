"""bot.ingest.fetch against a real aiohttp server on 127.0.0.1: SSRF refusals (also after DNS
and on redirects), limits, conditional GET, errors, content types and per-host politeness."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import gzip
import ipaddress
import socket
import threading
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpcore
import pytest
from aiohttp import web

from bot.errors import ConfigError, IngestError
from bot.ingest import fetch as fetch_module
from bot.ingest.fetch import (
    MAX_RETRY_AFTER,
    USER_AGENT,
    Fetcher,
    FetchError,
    FetchPolicy,
    GuardedBackend,
    acceptable_type,
    address_refusal,
    check_url,
    resolve,
)

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
ETAG = '"v1"'
LAST_MODIFIED = "Wed, 11 Mar 2026 10:00:00 GMT"
LOCAL = FetchPolicy(allow_hosts=frozenset({"127.0.0.1", "localhost"}), timeout=0.5)


@dataclass
class Server:
    base: str
    port: int
    seen: list[dict[str, Any]] = field(default_factory=list)  # one per request, in order
    active: int = 0
    max_active: int = 0


def make_app(server: Server) -> web.Application:
    async def feed(request: web.Request) -> web.StreamResponse:
        if request.headers.get("If-None-Match") == ETAG:
            return web.Response(status=304)  # omits ETag/Last-Modified on purpose
        headers = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}
        return web.Response(
            body=FEED, headers=headers, content_type="application/rss+xml", charset="utf-8"
        )

    async def page(request: web.Request) -> web.StreamResponse:
        return web.Response(text="<html><p>hi</p></html>", content_type="text/html")

    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(3)
        return web.Response(text="late", content_type="text/html")

    async def trickle(request: web.Request) -> web.StreamResponse:
        # Headers at once, then a byte every 0.1 s: no single read is slow, the whole is.
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        for _ in range(30):
            await response.write(b"x")
            await asyncio.sleep(0.1)
        return response

    async def status(request: web.Request) -> web.StreamResponse:
        code = int(request.match_info["code"])
        headers = {"Retry-After": "7"} if code in (429, 503) else {}
        return web.Response(status=code, text="no", headers=headers)

    async def retry(request: web.Request) -> web.StreamResponse:
        headers = {"Retry-After": request.query["after"]}
        if "date" in request.query:
            headers["Date"] = request.query["date"]
        return web.Response(status=503, text="busy", headers=headers)

    async def octets(request: web.Request) -> web.StreamResponse:
        # What S3 serves an uploaded feed as when nobody set its type.
        return web.Response(body=FEED, content_type=request.query["type"])

    async def odd_etag(request: web.Request) -> web.StreamResponse:
        headers = {"ETag": '"v-\u00e9"'}  # not ASCII: httpx hands it back decoded
        return web.Response(body=FEED, headers=headers, content_type="application/rss+xml")

    async def chain(request: web.Request) -> web.StreamResponse:
        n = int(request.match_info["n"])
        target = "/page#frag" if n == 0 else f"{n - 1}"  # relative Location
        raise web.HTTPFound(target)

    async def loop(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"/loop/{int(request.match_info['n']) + 1}")

    async def away(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(request.query["to"])

    async def big(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"x" * 10_000, content_type="text/html")

    async def big_chunked(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(10):
            await response.write(b"x" * 1000)
        return response

    async def bomb(request: web.Request) -> web.StreamResponse:
        body = gzip.compress(b"<html>" + b" " * 2_000_000)
        headers = {"Content-Encoding": "gzip", "Content-Type": "text/html"}
        return web.Response(body=body, headers=headers)

    async def image(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"\x89PNG", content_type="image/png")

    async def busy(request: web.Request) -> web.StreamResponse:
        server.active += 1
        server.max_active = max(server.max_active, server.active)
        await asyncio.sleep(0.2)
        server.active -= 1
        return web.Response(text="ok", content_type="text/html")

    @web.middleware
    async def record(request: web.Request, handler: Any) -> web.StreamResponse:
        server.seen.append(
            {"path": request.path, "at": time.monotonic(), "headers": dict(request.headers)}
        )
        return await handler(request)

    app = web.Application(middlewares=[record])
    app.router.add_get("/feed", feed)
    app.router.add_get("/page", page)
    app.router.add_get("/slow", slow)
    app.router.add_get("/trickle", trickle)
    app.router.add_get("/status/{code}", status)
    app.router.add_get("/retry", retry)
    app.router.add_get("/octets", octets)
    app.router.add_get("/odd-etag", odd_etag)
    app.router.add_get("/chain/{n}", chain)
    app.router.add_get("/loop/{n}", loop)
    app.router.add_get("/away", away)
    app.router.add_get("/big", big)
    app.router.add_get("/big-chunked", big_chunked)
    app.router.add_get("/bomb", bomb)
    app.router.add_get("/image", image)
    app.router.add_get("/busy", busy)
    return app


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    srv = Server(base="", port=0)
    runner = web.AppRunner(make_app(srv), shutdown_timeout=0.2)  # don't wait out /slow
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    srv.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    srv.base = f"http://127.0.0.1:{srv.port}"
    yield srv
    await runner.cleanup()


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(LOCAL, delay=0) as f:
        yield f


def fake_dns(
    monkeypatch: pytest.MonkeyPatch,
    answers: dict[str, list[str]],
    threads: list[str] | None = None,
) -> list[str]:
    """Make socket.getaddrinfo (which the fetch module calls in its DNS threads) answer from
    `answers`, each call popping the next address for a name (the last one repeats); returns
    the log of names looked up. `threads` collects the name of the thread each lookup ran in."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in answers:
            return real(host, port, *args, **kwargs)
        asked.append(host)
        if threads is not None:
            threads.append(threading.current_thread().name)
        address = answers[host].pop(0) if len(answers[host]) > 1 else answers[host][0]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


# ----------------------------------------------------------------------------- pure functions


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.5", "private"),
        ("172.16.3.4", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("100.64.0.1", "shared (CGNAT)"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.1", "not globally routable"),
        ("198.18.0.1", "not globally routable"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:8.8.8.8", None),
        ("2002:a9fe:a9fe::1", "link-local"),  # 6to4 around 169.254.169.254
        ("64:ff9b::a00:1", "private"),  # NAT64 around 10.0.0.1
        ("64:ff9b::808:808", None),
        ("fec0::1", "site-local"),
    ],
)
def test_address_refusal(address: str, reason: str | None) -> None:
    assert address_refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/feed#top", "https://example.com/feed"),
        ("  http://example.com:8080/a?b=1 ", "http://example.com:8080/a?b=1"),
        ("http://[::1]/x", "http://[::1]/x"),
    ],
)
def test_check_url_accepts(url: str, expected: str) -> None:
    assert check_url(url) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        # Hosts httpx accepts and which are none: once a ValueError escaping Fetcher.fetch.
        ("http://a..b.com/x", r"^invalid host 'a\.\.b\.com'$"),
        ("http://.x.com/", r"^invalid host '\.x\.com'$"),
        ("http://ex%41mple.com/", r"^invalid host 'ex%41mple\.com'$"),
        ("http://exa mple.com/", r"^invalid host 'exa%20mple\.com'$"),
        ("http://%00/", "invalid host"),
        (f"http://{'a' * 64}.com/", r"invalid host .* \(too long for DNS\)$"),
        (f"http://{'abcdefghi.' * 26}com/", r"\(too long for DNS\)$"),
        # idna's own errors (UnicodeError), and a lone surrogate in the path (UnicodeEncodeError).
        ("http://xn--zz.com/", r"^invalid host 'xn--zz\.com' \(not valid punycode\)$"),
        ("http://news.xn--zz.com/", r"\(not valid punycode\)$"),
        ("http://xn--/", r"\(not valid punycode\)$"),
        ("http://x.com/\ud800", "^invalid URL: "),
        ("http://\u2488.com/", "^invalid URL: "),
        ("ftp://example.com/", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("example.com/feed", "only http and https"),
        ("http://user:pw@example.com/", "user name or password"),
        ("http://user@example.com/", "user name or password"),
        ("http:///path", "no host"),
        ("http://:80/", "no host"),
        ("http://example.com:99999/", "invalid port"),
        ("http://example.com:0/", "invalid port"),
        ("http://example.com:abc/", "invalid"),
    ],
)
def test_check_url_refuses(url: str, message: str) -> None:
    with pytest.raises(FetchError, match=message):
        check_url(url)


def test_check_url_accepts_odd_but_valid_hosts() -> None:
    assert check_url("http://bücher.example/") == "http://xn--bcher-kva.example/"
    assert check_url(f"http://{'a' * 63}.com/") == f"http://{'a' * 63}.com/"
    assert check_url("http://a_b.example.com/") == "http://a_b.example.com/"
    assert check_url("http://Example.COM./") == "http://example.com./"


def test_check_url_refuses_what_is_not_text() -> None:
    with pytest.raises(FetchError, match=r"^invalid URL"):
        check_url(None)  # type: ignore[arg-type]


def test_policy_from_env() -> None:
    env = {"BRIEFBOT_ALLOW_HOSTS": " 127.0.0.1 , LOCALHOST,[::1], Bücher.example. ,, "}
    policy = FetchPolicy.from_env(env)
    assert policy.allow_hosts == {"127.0.0.1", "localhost", "::1", "xn--bcher-kva.example"}
    assert FetchPolicy.from_env({}).allow_hosts == frozenset()
    # localhost is loopback by definition: allowing it allows the loopback addresses too.
    assert FetchPolicy(allow_hosts=frozenset({"LOCALHOST"})).allow_hosts == {
        "localhost",
        "127.0.0.1",
        "::1",
    }
    with pytest.raises(ConfigError, match="BRIEFBOT_ALLOW_HOSTS"):
        FetchPolicy.from_env({"BRIEFBOT_ALLOW_HOSTS": "localhost:8080"})


def test_error_shape() -> None:
    assert issubclass(FetchError, IngestError)
    exc = FetchError("HTTP 429 Too Many Requests", status=429, retry_after=7.0)
    assert (str(exc), exc.status, exc.retry_after) == ("HTTP 429 Too Many Requests", 429, 7.0)


def test_content_types() -> None:
    for media in ("application/rss+xml", "application/x-rss+xml", "text/xml", "text/html", None):
        assert acceptable_type(media, "feed")
    # S3 and other object stores serve feeds as octet-streams; the parser sniffs the bytes.
    for media in ("application/octet-stream", "binary/octet-stream"):
        assert acceptable_type(media, "feed")
        assert not acceptable_type(media, "page")
    for media in ("image/png", "application/json"):
        assert not acceptable_type(media, "feed")
    assert acceptable_type("application/xhtml+xml", "page")
    assert not acceptable_type("application/rss+xml", "page")


DATE = "Wed, 21 Oct 2026 07:28:00 GMT"


@pytest.mark.parametrize(
    ("value", "date", "expected"),
    [
        ("7", None, 7.0),
        (" 120 ", None, 120.0),
        ("0", None, 0.0),
        ("1.5", None, 1.5),
        ("604800", None, 604800.0),
        # Capped: ten years would park a feed for good, 10^14 s overflows a timedelta.
        ("315360000", None, MAX_RETRY_AFTER),
        ("99999999999999", None, MAX_RETRY_AFTER),
        ("9" * 400, None, MAX_RETRY_AFTER),  # inf as a float
        # Negative, not finite, not ASCII digits ("²".isdigit() is true), not a number at all.
        ("-5", None, None),
        ("inf", None, None),
        ("nan", None, None),
        ("1e9", None, None),
        ("²", None, None),
        ("\u0663", None, None),  # ARABIC-INDIC DIGIT THREE
        ("soon", None, None),
        ("", None, None),
        (None, None, None),
        # The HTTP-date form, counted from the response's Date header.
        ("Wed, 21 Oct 2026 07:30:00 GMT", DATE, 120.0),
        ("Wed, 21 Oct 2026 08:28:00 +0000", DATE, 3600.0),
        ("Wed, 21 Oct 2026 07:27:00 GMT", DATE, None),  # already past
        ("Fri, 31 Dec 9999 23:59:59 GMT", DATE, MAX_RETRY_AFTER),
        ("Fri, 31 Dec 99999 23:59:59 GMT", DATE, None),  # no year 99999: unreadable
    ],
)
def test_retry_after(value: str | None, date: str | None, expected: float | None) -> None:
    assert fetch_module._retry_after(value, date) == expected


def test_retry_after_date_without_a_date_header_counts_from_now() -> None:
    soon = email.utils.format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1), True)
    waited = fetch_module._retry_after(soon, None)
    assert waited is not None and 3500 < waited <= 3600
    again = fetch_module._retry_after(soon, "not a date")  # an unreadable Date: our clock
    assert again is not None and 3500 < again <= 3600


# ----------------------------------------------------------------------------- resolution


async def test_resolve_checks_every_address(monkeypatch: pytest.MonkeyPatch) -> None:
    def two(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", two)
    with pytest.raises(FetchError, match=r"mixed\.test resolves to 10\.0\.0\.7, a private"):
        await resolve("mixed.test", 80, FetchPolicy())
    allowed = FetchPolicy(allow_hosts=frozenset({"Mixed.Test"}))
    assert await resolve("MIXED.test", 80, allowed) == ["93.184.216.34", "10.0.0.7"]
    by_address = FetchPolicy(allow_hosts=frozenset({"10.0.0.7"}))
    assert await resolve("mixed.test", 80, by_address) == ["93.184.216.34", "10.0.0.7"]


async def test_resolve_literals_and_failures() -> None:
    assert await resolve("8.8.8.8", 80, FetchPolicy()) == ["8.8.8.8"]
    with pytest.raises(FetchError, match=r"refused: ::1 is a loopback address"):
        await resolve("[::1]", 80, FetchPolicy())
    with pytest.raises(FetchError, match=r"refused: 0\.0\.0\.0 is an unspecified address"):
        await resolve("0.0.0.0", 80, FetchPolicy())
    with pytest.raises(FetchError, match=r"cannot resolve host nowhere\.invalid"):
        await resolve("nowhere.invalid", 80, FetchPolicy())


async def test_unreadable_dns_answer_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def odd(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("not an address", port))]

    monkeypatch.setattr(socket, "getaddrinfo", odd)
    with pytest.raises(FetchError, match=r"^cannot resolve host odd\.test: unreadable address$"):
        await resolve("odd.test", 80, FetchPolicy())


async def test_dns_runs_in_its_own_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    # The loop's default executor is the Telegram front end's (asyncio.to_thread): with it
    # busy, as a slow command makes it, lookups must still run, in threads of their own.
    threads: list[str] = []
    fake_dns(monkeypatch, {"news.test": ["93.184.216.34"]}, threads)
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=1))
    release = threading.Event()
    busy = loop.run_in_executor(None, release.wait)
    try:
        found = await asyncio.wait_for(resolve("news.test", 80, FetchPolicy()), timeout=2)
    finally:
        release.set()
        await busy
    assert found == ["93.184.216.34"]
    assert len(threads) == 1 and threads[0].startswith("briefbot-dns")


async def test_backend_refuses_rebound_name(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, {"evil.test": ["127.0.0.1"]})
    connected: list[str] = []
    real_connect = httpcore.AnyIOBackend.connect_tcp

    async def spy(self: Any, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        connected.append(host)
        return await real_connect(self, host, port, *args, **kwargs)

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", spy)
    with pytest.raises(FetchError, match=r"refused: evil\.test resolves to 127\.0\.0\.1"):
        await GuardedBackend(FetchPolicy()).connect_tcp("evil.test", 80)
    assert connected == []


async def test_dns_rebinding_between_check_and_connect(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Public for the pre-check, loopback when the connection is made: the backend must notice.
    asked = fake_dns(monkeypatch, {"evil.test": ["93.184.216.34", "127.0.0.1"]})
    async with Fetcher(FetchPolicy(), delay=0) as f:
        with pytest.raises(FetchError, match=r"resolves to 127\.0\.0\.1, a loopback address"):
            await f.fetch(f"http://evil.test:{server.port}/page")
    assert asked == ["evil.test", "evil.test"]
    assert server.seen == []


async def test_connects_to_the_checked_address(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # good.test exists only in our fake DNS: success proves the socket went to that answer.
    fake_dns(monkeypatch, {"good.test": ["127.0.0.1"]})
    async with Fetcher(FetchPolicy(allow_hosts=frozenset({"GOOD.test"})), delay=0) as f:
        result = await f.fetch(f"http://good.test:{server.port}/page")
    assert result.status == 200
    assert server.seen[0]["headers"]["Host"] == f"good.test:{server.port}"


# ----------------------------------------------------------------------------- against the server


async def test_feed_and_conditional_get(server: Server, fetcher: Fetcher) -> None:
    result = await fetcher.fetch(f"{server.base}/feed#x", kind="feed")
    assert (result.status, result.body, result.not_modified) == (200, FEED, False)
    assert (result.content_type, result.charset) == ("application/rss+xml", "utf-8")
    assert (result.etag, result.last_modified) == (ETAG, LAST_MODIFIED)
    assert result.url == f"{server.base}/feed"
    headers = server.seen[0]["headers"]
    assert headers["User-Agent"] == USER_AGENT
    assert headers["Accept"].startswith("application/rss+xml")
    assert "gzip" in headers["Accept-Encoding"]

    again = await fetcher.fetch(
        f"{server.base}/feed", kind="feed", etag=ETAG, last_modified=LAST_MODIFIED
    )
    assert (again.status, again.body, again.not_modified) == (304, b"", True)
    assert (again.etag, again.last_modified) == (ETAG, LAST_MODIFIED)  # kept from the caller
    assert server.seen[1]["headers"]["If-None-Match"] == ETAG
    assert server.seen[1]["headers"]["If-Modified-Since"] == LAST_MODIFIED


async def test_page_accept_header(server: Server, fetcher: Fetcher) -> None:
    result = await fetcher.fetch(f"{server.base}/page")
    assert result.content_type == "text/html"
    assert server.seen[0]["headers"]["Accept"].startswith("text/html")


async def test_loopback_refused_without_allow_list(server: Server) -> None:
    async with Fetcher(FetchPolicy(), delay=0) as f:
        with pytest.raises(FetchError, match=r"refused: 127\.0\.0\.1 is a loopback address"):
            await f.fetch(f"{server.base}/page")
        with pytest.raises(FetchError, match=r"refused: localhost resolves to .*loopback"):
            await f.fetch(f"http://localhost:{server.port}/page")
    assert server.seen == []


async def test_allow_list_by_name(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = FetchPolicy.from_env({"BRIEFBOT_ALLOW_HOSTS": "LOCALHOST"})
    async with Fetcher(policy, delay=0) as f:
        assert (await f.fetch(f"http://localhost:{server.port}/page")).status == 200
        assert (await f.fetch(f"{server.base}/page")).status == 200  # localhost's own address
    fake_dns(monkeypatch, {"feeds.intranet.test": ["127.0.0.1"]})
    policy = FetchPolicy.from_env({"BRIEFBOT_ALLOW_HOSTS": "feeds.intranet.test"})
    async with Fetcher(policy, delay=0) as f:
        page = await f.fetch(f"http://feeds.intranet.test:{server.port}/page")
        assert page.status == 200
        with pytest.raises(FetchError, match="loopback"):  # the name, not its address
            await f.fetch(f"{server.base}/page")


async def test_redirect_chain(server: Server, fetcher: Fetcher) -> None:
    result = await fetcher.fetch(f"{server.base}/chain/3")
    assert result.url == f"{server.base}/page"
    assert [s["path"] for s in server.seen] == [
        "/chain/3",
        "/chain/2",
        "/chain/1",
        "/chain/0",
        "/page",
    ]


@pytest.mark.parametrize(
    ("to", "message"),
    [
        ("http://10.1.2.3/", r"refused: redirect to 10\.1\.2\.3, a private address"),
        (
            "http://169.254.169.254/latest/meta-data",
            r"refused: redirect to 169\.254\.169\.254, a link-local address",
        ),
        ("ftp://example.com/", r"refused: redirect to ftp://example\.com/: only http and https"),
    ],
)
async def test_redirect_out_is_refused(
    server: Server, fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch, to: str, message: str
) -> None:
    connected: list[str] = []
    real_connect = httpcore.AnyIOBackend.connect_tcp

    async def spy(self: Any, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        connected.append(host)
        return await real_connect(self, host, port, *args, **kwargs)

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", spy)
    started = time.monotonic()
    with pytest.raises(FetchError, match=message):
        await fetcher.fetch(f"{server.base}/away?to={to}")
    # Generous on a loaded machine: what matters is that nothing connected to the target.
    assert time.monotonic() - started < 5.0
    assert connected == ["127.0.0.1"]  # only the server itself


async def test_redirect_to_a_name_resolving_inside(
    server: Server, fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dns(monkeypatch, {"intranet.test": ["10.9.9.9"]})
    message = r"^refused: redirect to intranet\.test, which resolves to 10\.9\.9\.9, a private"
    with pytest.raises(FetchError, match=message):
        await fetcher.fetch(f"{server.base}/away?to=http://intranet.test/admin")


async def test_proxy_environment_is_ignored(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy would fetch any address for us; a dead one proves it is not used.
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    async with Fetcher(LOCAL, delay=0) as f:
        assert (await f.fetch(f"{server.base}/page")).status == 200


async def test_endless_redirects(server: Server, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match=r"too many redirects \(more than 5\)"):
        await fetcher.fetch(f"{server.base}/loop/0")
    assert len(server.seen) == 6  # the first request and five redirects followed


@pytest.mark.parametrize(
    ("after", "date", "expected"),
    [
        ("99999999999999", None, MAX_RETRY_AFTER),
        ("²", None, None),  # once a ValueError out of float()
        ("Wed, 21 Oct 2026 07:30:00 GMT", DATE, 120.0),
    ],
)
async def test_retry_after_from_the_server(
    server: Server, fetcher: Fetcher, after: str, date: str | None, expected: float | None
) -> None:
    query = f"after={after}" + (f"&date={date}" if date else "")
    with pytest.raises(FetchError, match=r"^HTTP 503 Service Unavailable$") as info:
        await fetcher.fetch(f"{server.base}/retry?{query}")
    assert info.value.retry_after == expected


async def test_http_errors(server: Server, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match=r"^HTTP 500 Internal Server Error$") as info:
        await fetcher.fetch(f"{server.base}/status/500")
    assert (info.value.status, info.value.retry_after) == (500, None)
    with pytest.raises(FetchError, match=r"^HTTP 429 Too Many Requests$") as info:
        await fetcher.fetch(f"{server.base}/status/429")
    assert (info.value.status, info.value.retry_after) == (429, 7.0)
    with pytest.raises(FetchError, match=r"^HTTP 404 Not Found$"):
        await fetcher.fetch(f"{server.base}/nothing-here")


async def test_connection_refused_is_short(fetcher: Fetcher) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchError, match=r"^cannot connect to 127\.0\.0\.1") as info:
        await fetcher.fetch(f"http://127.0.0.1:{port}/")
    assert "Traceback" not in str(info.value) and "object at" not in str(info.value)


@pytest.mark.parametrize("path", ["/slow", "/trickle"])
async def test_timeout(server: Server, fetcher: Fetcher, path: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"^timed out after 0\.5 s$"):
        await fetcher.fetch(f"{server.base}{path}")
    assert time.monotonic() - started < 10.0  # the slow endpoints would take far longer


@pytest.mark.parametrize("path", ["/big", "/big-chunked", "/bomb"])
async def test_size_cap(server: Server, fetcher: Fetcher, path: str) -> None:
    with pytest.raises(FetchError, match=r"^response larger than 5 kB$"):
        await fetcher.fetch(f"{server.base}{path}", max_bytes=5000)


async def test_size_cap_from_policy(server: Server) -> None:
    policy = FetchPolicy(allow_hosts=LOCAL.allow_hosts, max_bytes=2_000_000)
    async with Fetcher(policy, delay=0) as f:
        with pytest.raises(FetchError, match=r"^response larger than 2 MB$"):
            await f.fetch(f"{server.base}/bomb")
        assert len((await f.fetch(f"{server.base}/big")).body) == 10_000


@pytest.mark.parametrize("media", ["application/octet-stream", "binary/octet-stream"])
async def test_octet_stream_feed(server: Server, fetcher: Fetcher, media: str) -> None:
    result = await fetcher.fetch(f"{server.base}/octets?type={media}", kind="feed")
    assert (result.content_type, result.body) == (media, FEED)
    with pytest.raises(FetchError, match=f"^wrong content type {media} for a page$"):
        await fetcher.fetch(f"{server.base}/octets?type={media}", kind="page")


async def test_wrong_content_type(server: Server, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match=r"^wrong content type image/png for a feed$"):
        await fetcher.fetch(f"{server.base}/image", kind="feed")
    with pytest.raises(FetchError, match=r"^wrong content type application/rss"):
        await fetcher.fetch(f"{server.base}/feed", kind="page")


# ----------------------------------------------------------------------------- politeness


async def test_delay_between_starts_on_one_host(server: Server) -> None:
    async with Fetcher(LOCAL, delay=0.2) as f:
        await asyncio.gather(f.fetch(f"{server.base}/page"), f.fetch(f"{server.base}/page"))
    first, second = sorted(s["at"] for s in server.seen)
    assert second - first >= 0.18  # 0.2 s minus scheduling slack between client and server


async def test_other_hosts_are_not_delayed(server: Server) -> None:
    async with Fetcher(LOCAL, delay=10.0) as f:
        started = time.monotonic()
        await asyncio.gather(
            f.fetch(f"{server.base}/page"), f.fetch(f"http://localhost:{server.port}/page")
        )
    assert time.monotonic() - started < 5.0  # well under one host's 10 s delay


async def test_concurrency_per_host(server: Server) -> None:
    async with Fetcher(LOCAL, per_host=1, delay=0) as f:
        started = time.monotonic()
        await asyncio.gather(*(f.fetch(f"{server.base}/busy") for _ in range(3)))
    assert server.max_active == 1
    assert time.monotonic() - started >= 0.55
    server.max_active = 0
    async with Fetcher(LOCAL, per_host=2, delay=0) as f:
        await asyncio.gather(*(f.fetch(f"{server.base}/busy") for _ in range(4)))
    assert server.max_active == 2


# ----------------------------------------------------------------------------- only FetchError


@pytest.mark.parametrize(
    "url",
    [
        "http://a..b.com/x",
        "http://.x.com/",
        "http://ex%41mple.com/",
        "http://xn--zz.com/",
        "http://x.com/\ud800",
        f"http://{'a' * 64}.com/",
        "http://[::1/",
        " http:// ",
    ],
)
async def test_fetch_raises_only_fetch_errors_for_malformed_urls(
    fetcher: Fetcher, url: str
) -> None:
    # One typo'd link in a feed, or `/ingest http://a..b.com/x`: a FetchError, nothing else.
    with pytest.raises(FetchError, match=r"^invalid|^URL has no host$"):
        await fetcher.fetch(url)


@pytest.mark.parametrize(
    ("to", "message"),
    [
        ("//a..b.com/x", r"^refused: redirect to http://a\.\.b\.com/x: invalid host"),
        ("http://ex%41mple.com/", r"^refused: redirect to .*: invalid host 'ex%41mple\.com'$"),
        # httpx itself trips on this one, building a redirect request it is not to send.
        ("http://xn--zz.com/", r"^bad HTTP response from 127\.0\.0\.1: Invalid A-label$"),
    ],
)
async def test_redirect_to_a_malformed_host(
    server: Server, fetcher: Fetcher, to: str, message: str
) -> None:
    with pytest.raises(FetchError, match=message):
        await fetcher.fetch(f"{server.base}/away?to={quote(to, safe='')}")


async def test_unsendable_validators_are_dropped(server: Server, fetcher: Fetcher) -> None:
    # A stored ETag httpx decoded as UTF-8 cannot be sent back (httpx sends ASCII only): the
    # request goes out without it rather than raising UnicodeEncodeError on every poll.
    first = await fetcher.fetch(f"{server.base}/odd-etag", kind="feed")
    assert first.etag is not None and not first.etag.isascii()
    again = await fetcher.fetch(
        f"{server.base}/odd-etag", kind="feed", etag=first.etag, last_modified="Mon\r\nX: y"
    )
    assert again.status == 200
    assert "If-None-Match" not in server.seen[1]["headers"]
    assert "If-Modified-Since" not in server.seen[1]["headers"]


async def test_an_unexpected_error_becomes_a_fetch_error(
    server: Server, fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> bytes:
        raise KeyError("a bug")

    monkeypatch.setattr(fetch_module, "_read_body", broken)
    with pytest.raises(FetchError, match=r"^internal error: KeyError$"):
        await fetcher.fetch(f"{server.base}/page")
    assert "fetching" in caplog.text and "KeyError" in caplog.text  # the traceback is logged


async def test_cancellation_is_not_swallowed(server: Server, fetcher: Fetcher) -> None:
    task = asyncio.create_task(fetcher.fetch(f"{server.base}/slow"))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_an_allowed_address_narrows_a_name_to_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """BRIEFBOT_ALLOW_HOSTS=127.0.0.1 and a url on "localhost", which resolves to ::1 and
    127.0.0.1 on many machines: the allowed address is used, the other is never connected to."""
    from bot.ingest import fetch as fetch_module

    async def lookup(name: str, port: int) -> list[str]:
        return {"localhost": ["::1", "127.0.0.1"], "mixed.test": ["10.0.0.9", "127.0.0.1"]}[name]

    monkeypatch.setattr(fetch_module, "_lookup", lookup)
    policy = FetchPolicy(allow_hosts=frozenset({"127.0.0.1"}))
    assert await fetch_module.resolve("localhost", 80, policy) == ["127.0.0.1"]
    assert await fetch_module.resolve("mixed.test", 80, policy) == ["127.0.0.1"]
    with pytest.raises(FetchError, match="loopback"):
        await fetch_module.resolve("localhost", 80, FetchPolicy())
