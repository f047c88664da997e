"""Fetch: the one place the bot fetches URLs from the internet, safely.

Admins name feeds and pages, so a URL is untrusted input: it must not make the bot reach its own
machine, the local network or a cloud metadata service (SSRF). Each hop is checked twice: a
pre-check, for an error that names the refused address, and the check that counts, in the network
backend, which resolves the host, checks every address and connects to a checked one itself. That
closes DNS rebinding (public for the check, 127.0.0.1 for the connection) and any gap between our
URL parsing and httpx's: the backend sees exactly the host httpx is about to dial.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email.utils
import ipaddress
import logging
import math
import os
import re
import socket
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import httpcore
import httpx
import idna

from bot.errors import ConfigError, IngestError

log = logging.getLogger(__name__)

USER_AGENT = "briefbot/0.1 (news briefing bot; +https://github.com/briefbot/briefbot)"

Kind = Literal["feed", "page"]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ACCEPT: dict[str, str] = {
    "feed": "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
    "*/*;q=0.5",
    "page": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
}
# text/html is fine for a feed: an admin may name a site's homepage, to discover its feed.
# The octet-streams are what S3 and other object stores serve an upload without a type as; the
# parser sniffs the bytes anyway (and refuses binary data), so the label adds nothing to trust.
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml"}
    | {"text/xml", "text/plain", "text/html", "application/xhtml+xml"}
    | {"application/octet-stream", "binary/octet-stream"}
)
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Python's is_private lumps loopback, test nets and more together; these are RFC 1918 and ULA.
PRIVATE_NETS = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
SHARED_NET = ipaddress.ip_network("100.64.0.0/10")
NAT64_NET = ipaddress.ip_network("64:ff9b::/96")
REDIRECTS = frozenset({301, 302, 303, 307, 308})
# A Retry-After beyond this is a typo or hostile: obeyed as sent, 315360000 would park a feed for
# ten years without anyone noticing, and 10^14 overflows the datetime arithmetic of the poller.
# A week is longer than any real maintenance window, and short enough for a failure to resurface.
MAX_RETRY_AFTER = 7 * 86400
_DELTA_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")  # ASCII only: "²".isdigit() is true
# DNS lookups get threads of their own: the event loop's default executor is the small pool the
# Telegram front end runs every command in (asyncio.to_thread), and a slow resolver must not queue
# replies behind it. Four threads: lookups are few (one per hop) and mostly cached.
_DNS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="briefbot-dns")


class FetchError(IngestError):
    """A URL could not be fetched. str(exc) is a short reason, safe to show an admin.

    `status` is the HTTP status for an error response; `retry_after` the seconds a 429 or 503
    asked us to wait.
    """

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def normalise_host(host: str) -> str:
    """The form hosts are compared in: lower case, IDNA (punycode), no brackets or trailing dot,
    addresses in their canonical text form. Raises ValueError for something that is no host."""
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    host = host.rstrip(".")
    if _is_address(host):
        return str(ipaddress.ip_address(host))
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise ValueError(f"not a valid host name: {host}") from exc
    if not re.fullmatch(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*", host):
        raise ValueError(f"not a valid host name: {host or '(empty)'}")
    return host


@dataclass(frozen=True)
class FetchPolicy:
    """What may be fetched and how much. `allow_hosts` (hosts or addresses) are fetched even when
    they are not public: an allowed name allows whatever it resolves to."""

    allow_hosts: frozenset[str] = field(default_factory=frozenset)
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    timeout: float = 20.0  # seconds for a whole request: connect, headers and every body byte
    connect_timeout: float = 10.0

    def __post_init__(self) -> None:
        # Normalise here too, so that FetchPolicy(allow_hosts={"LOCALHOST"}) works like the env.
        hosts = frozenset(map(normalise_host, self.allow_hosts))
        if "localhost" in hosts:
            # The name is loopback by definition (RFC 6761): allowing it allows the loopback
            # addresses written as such (http://127.0.0.1:8080/feed.xml).
            hosts |= {"127.0.0.1", "::1"}
        object.__setattr__(self, "allow_hosts", hosts)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> FetchPolicy:
        """Read BRIEFBOT_ALLOW_HOSTS: hosts or addresses separated by commas (or semicolons)."""
        env = os.environ if env is None else env
        hosts: set[str] = set()
        for part in env.get("BRIEFBOT_ALLOW_HOSTS", "").replace(";", ",").split(","):
            if part.strip():
                try:
                    hosts.add(normalise_host(part))
                except ValueError as exc:
                    raise ConfigError(f"BRIEFBOT_ALLOW_HOSTS: {exc}") from None
        return cls(allow_hosts=frozenset(hosts))


def check_url(url: str) -> str:
    """Syntax check: only http/https, a valid host, no userinfo (user:pass@), a valid port;
    returns the url without its #fragment. Raises FetchError, and nothing else."""
    if not isinstance(url, str):
        raise FetchError("invalid URL: not text")
    try:
        parsed = httpx.URL(url.strip())
        result = str(parsed.copy_with(fragment=None))
    # ValueError: httpx lets idna's errors (UnicodeError) and UnicodeEncodeError (a lone
    # surrogate in the path) through, besides its own InvalidURL.
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchError(f"invalid URL: {_detail(exc)}") from None
    if parsed.scheme not in ("http", "https"):
        raise FetchError("only http and https URLs")
    if parsed.userinfo:
        raise FetchError("URLs with a user name or password are not allowed")
    if not parsed.raw_host:
        raise FetchError("URL has no host")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise FetchError(f"invalid port {parsed.port}")
    _url_host(parsed)
    return result


def _url_host(url: httpx.URL) -> str:
    """The host httpx will dial for url, normalised. httpx accepts hosts that are none
    ("a..b.com", ".x.com", "ex%41mple.com"): FetchError for those, for names DNS cannot carry
    (a label over 63 characters, a name over 253) and for punycode that does not decode, all of
    which would fail deeper down with ValueError or UnicodeError instead."""
    shown = url.raw_host.decode("ascii", "replace")[:100]
    try:
        host = normalise_host(url.raw_host.decode("ascii"))
    except ValueError:  # UnicodeDecodeError included
        raise FetchError(f"invalid host {shown!r}") from None
    if _is_address(host):
        return host
    labels = host.split(".")
    if len(host) > 253 or any(len(label) > 63 for label in labels):
        raise FetchError(f"invalid host {shown!r} (too long for DNS)")
    try:
        for label in labels:
            if label.startswith("xn--"):
                idna.decode(label)  # what httpx's URL.host does, raising on the way
    except ValueError:  # idna.IDNAError is a UnicodeError
        raise FetchError(f"invalid host {shown!r} (not valid punycode)") from None
    return host


def address_refusal(ip: IPAddress) -> str | None:
    """Why this address must not be fetched, or None when it is public. IPv4 embedded in IPv6
    (mapped, 6to4, NAT64) is judged as that IPv4: those forms reach it all the same."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in NAT64_NET:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return address_refusal(embedded)
    checks = [
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),  # Python calls 224/4 global; it is not for us
        (any(ip in net for net in PRIVATE_NETS), "private"),
        (ip in SHARED_NET, "shared (CGNAT)"),
        (getattr(ip, "is_site_local", False), "site-local"),  # fec0::/10, deprecated
        (ip.is_reserved, "reserved"),
        (not ip.is_global, "not globally routable"),
    ]
    return next((reason for hit, reason in checks if hit), None)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _detail(exc: BaseException) -> str:
    """An exception's message, short and on one line, for an admin."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]


def _what(reason: str) -> str:
    """A refusal reason as a noun phrase: "a private address"."""
    if reason.startswith("not "):
        return "not a globally routable address"
    return f"{'an' if reason[0] in 'aeiou' else 'a'} {reason} address"


async def resolve(
    host: str, port: int, policy: FetchPolicy, *, redirect: bool = False
) -> list[str]:
    """The addresses to connect to for host. Raises FetchError if the host does not resolve or if
    ANY address is refused (unless the host or that address is allowed): one bad address is
    reason enough to distrust the name. When some of its addresses are allowed by address, the
    refused others are left out instead (and never connected to). IP-literal hosts are checked
    without DNS. `redirect` only words the error for a redirect hop."""
    try:
        name = normalise_host(host)
    except ValueError as exc:
        raise FetchError(str(exc)) from None
    literal = _is_address(name)
    addresses = [name] if literal else await _lookup(name, port)
    if name in policy.allow_hosts:
        return addresses
    if any(a in policy.allow_hosts for a in addresses):
        # The operator allowed one of this name's addresses (BRIEFBOT_ALLOW_HOSTS=127.0.0.1 for
        # "localhost", which also resolves to ::1 on many machines): connect to the allowed and
        # the public ones only, never to the others.
        return [
            a
            for a in addresses
            if a in policy.allow_hosts or address_refusal(ipaddress.ip_address(a)) is None
        ]
    for address in addresses:
        reason = address_refusal(ipaddress.ip_address(address))
        if reason is None or address in policy.allow_hosts:
            continue
        what = _what(reason)
        if redirect:
            where = address if literal else f"{name}, which resolves to {address}"
            raise FetchError(f"refused: redirect to {where}, {what}")
        if literal:
            raise FetchError(f"refused: {address} is {what}")
        raise FetchError(f"refused: {name} resolves to {address}, {what}")
    return addresses


async def _lookup(name: str, port: int) -> list[str]:
    """getaddrinfo in the DNS threads; distinct addresses in the resolver's order of preference."""
    loop = asyncio.get_running_loop()
    try:
        # socket.getaddrinfo(host, port, family, type): run_in_executor passes no keywords.
        infos = await loop.run_in_executor(
            _DNS, socket.getaddrinfo, name, port, 0, socket.SOCK_STREAM
        )
    except (OSError, UnicodeError):
        raise FetchError(f"cannot resolve host {name}") from None
    try:
        found = [
            normalise_host(str(info[4][0]))
            for info in infos
            if info[0] in (socket.AF_INET, socket.AF_INET6)
        ]
    except ValueError:  # an answer we cannot read is an answer we cannot check
        raise FetchError(f"cannot resolve host {name}: unreadable address") from None
    if not found:
        raise FetchError(f"cannot resolve host {name}")
    return list(dict.fromkeys(found))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects only to addresses the policy allows, and only
    to the very addresses it checked (so DNS cannot change its answer in between). TLS still
    verifies the URL's host name: httpcore passes it to start_tls as server_hostname."""

    def __init__(self, policy: FetchPolicy) -> None:
        self.policy = policy
        self._inner = httpcore.AnyIOBackend()  # the bot runs on asyncio

    async def connect_tcp(
        self, host: str, port: int, *args: Any, **kwargs: Any
    ) -> httpcore.AsyncNetworkStream:
        error: Exception | None = None
        for address in await resolve(host, port, self.policy):
            try:
                return await self._inner.connect_tcp(address, port, *args, **kwargs)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc  # try the next address, as a resolver-driven client would
        assert error is not None  # resolve() never returns an empty list
        raise error

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_transport(policy: FetchPolicy) -> httpx.AsyncHTTPTransport:
    """httpx's transport with its connection pool replaced by one using GuardedBackend.

    httpx has no public hook for the network backend; the pool is the private `_pool`, stable
    across the httpx versions we pin (>=0.27,<0.29). The settings mirror httpx's defaults.
    """
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=100,
        max_keepalive_connections=20,
        keepalive_expiry=5.0,
        network_backend=GuardedBackend(policy),
    )
    return transport


@dataclass
class FetchResult:
    """A fetched document, or the news that it has not changed (status 304, empty body)."""

    url: str  # the final url, after redirects
    status: int
    content_type: str | None  # media type only, lower case; the charset is apart
    charset: str | None
    body: bytes
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def acceptable_type(content_type: str | None, kind: Kind) -> bool:
    """Whether a media type can be a document of this kind. No type at all: let the parser see."""
    if content_type is None:
        return True
    if kind == "page":
        return content_type in PAGE_TYPES
    top, _, sub = content_type.partition("/")
    feedish = top in ("application", "text") and any(
        w in sub for w in ("xml", "rss", "atom", "rdf")
    )
    return content_type in FEED_TYPES or feedish


def _parse_content_type(header: str | None) -> tuple[str | None, str | None]:
    if not header:
        return None, None
    media, *params = header.split(";")
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower() or None
    return media.strip().lower() or None, charset


def _retry_after(value: str | None, date: str | None = None) -> float | None:
    """Seconds to wait from a Retry-After header, at most MAX_RETRY_AFTER; None when there is
    none, it cannot be read, or it asks for no wait at all.

    Delta-seconds is the usual form; an HTTP-date is counted from the response's Date header
    (the server's own clock, so a skewed clock does not skew the wait), else from our clock.
    """
    value = (value or "").strip()
    if not value:
        return None
    if _DELTA_SECONDS.fullmatch(value):
        seconds = float(value)  # a number with 400 digits is inf here: capped below
    else:
        until = _http_date(value)
        if until is None:
            return None
        now = _http_date(date) or dt.datetime.fromtimestamp(time.time(), dt.UTC)
        seconds = (until - now).total_seconds()
    if math.isnan(seconds) or seconds < 0:
        return None
    return min(seconds, float(MAX_RETRY_AFTER))


def _http_date(value: str | None) -> dt.datetime | None:
    """An HTTP-date as an aware datetime; HTTP-dates are always GMT, whatever the zone says."""
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _validator(value: str | None) -> str | None:
    """An ETag or Last-Modified to send back, or None. They are stored from earlier responses,
    which httpx may have decoded as UTF-8 or Latin-1: httpx sends header values as ASCII only,
    so anything else would raise on every later poll. Dropping it costs one full download."""
    if value and value.isascii() and value.isprintable():
        return value
    return None


def _size(limit: int) -> str:
    return f"{limit / 1e6:g} MB" if limit >= 1_000_000 else f"{limit / 1e3:g} kB"


async def _read_body(response: httpx.Response, limit: int) -> bytes:
    """The body, or FetchError once more than `limit` bytes arrived. aiter_bytes yields decoded
    bytes, so a gzip bomb counts at its inflated size (one compressed chunk of ~64 kB can still
    inflate to ~64 MB before we see it: zlib's ratio is capped near 1000:1)."""
    length = response.headers.get("Content-Length", "")
    if length.isascii() and length.isdigit() and int(length) > limit:
        raise FetchError(f"response larger than {_size(limit)}")
    chunks: list[bytes] = []
    received = 0
    async for chunk in response.aiter_bytes():
        received += len(chunk)
        if received > limit:
            raise FetchError(f"response larger than {_size(limit)}")
        chunks.append(chunk)
    return b"".join(chunks)


class _HostGate:
    """Politeness for one host: at most `per_host` requests at once, starts `delay` apart."""

    def __init__(self, per_host: int) -> None:
        self.slots = asyncio.Semaphore(per_host)
        self.next_start = 0.0

    async def wait_turn(self, delay: float) -> None:
        # Book the start time before sleeping, so concurrent waiters queue up `delay` apart.
        now = asyncio.get_running_loop().time()
        start = max(now, self.next_start)
        self.next_start = start + delay
        if start > now:
            await asyncio.sleep(start - now)


class Fetcher:
    """Fetches feeds and pages under a FetchPolicy; use `async with Fetcher(policy) as f:`.

    One httpx.AsyncClient (connection reuse). It may be built outside a running loop, but must
    then be used and closed within one event loop. Only FetchError (and cancellation) escapes
    `fetch`, whatever the url or the server sends: callers catch IngestError, and one bad link
    in a feed must not end a whole poll.
    `transport` replaces the guarded transport (tests); the pre-check of each hop still applies.
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        per_host: int = 2,
        delay: float = 1.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.policy = policy or FetchPolicy.from_env()
        self.per_host = per_host
        self.delay = delay
        self._gates: dict[str, _HostGate] = {}
        self._client = httpx.AsyncClient(
            transport=transport or guarded_transport(self.policy),
            follow_redirects=False,  # our loop re-checks every hop
            # A proxy from HTTP_PROXY & co. would fetch any address for us, around the backend's
            # check. httpx skips them anyway when given a transport; say so, don't rely on it.
            trust_env=False,
            timeout=httpx.Timeout(self.policy.timeout, connect=self.policy.connect_timeout),
            headers={"User-Agent": USER_AGENT},
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        kind: Kind = "page",
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """GET url, following at most policy.max_redirects redirects. Raises FetchError."""
        try:
            return await self._fetch(url, kind, etag, last_modified, max_bytes)
        except FetchError:
            raise
        except Exception as exc:
            # The known failures are FetchErrors already; this is a bug or a library raising
            # something undocumented. The contract holds, and the log keeps the traceback.
            log.exception("fetching %.200s failed unexpectedly", url)
            raise FetchError(f"internal error: {type(exc).__name__}") from None

    async def _fetch(
        self,
        url: str,
        kind: Kind,
        etag: str | None,
        last_modified: str | None,
        max_bytes: int | None,
    ) -> FetchResult:
        current = check_url(url)
        headers = {"Accept": ACCEPT[kind]}
        etag, last_modified = _validator(etag), _validator(last_modified)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        limit = max_bytes or self.policy.max_bytes
        for hop in range(self.policy.max_redirects + 1):
            outcome = await self._hop(current, headers, kind, limit, redirect=hop > 0)
            if isinstance(outcome, FetchResult):
                if outcome.not_modified:
                    outcome.etag = outcome.etag or etag
                    outcome.last_modified = outcome.last_modified or last_modified
                return outcome
            try:
                current = check_url(outcome)
            except FetchError as exc:
                raise FetchError(f"refused: redirect to {outcome[:200]}: {exc}") from None
        raise FetchError(f"too many redirects (more than {self.policy.max_redirects})")

    async def _hop(
        self, url: str, headers: dict[str, str], kind: Kind, limit: int, *, redirect: bool
    ) -> FetchResult | str:
        """One request: a result, or the absolute url a redirect points to. `url` has passed
        check_url."""
        target = httpx.URL(url)
        host = _url_host(target)
        gate = self._gates.setdefault(host, _HostGate(self.per_host))
        async with gate.slots:
            await gate.wait_turn(self.delay)
            try:
                # The deadline covers this hop's DNS, connect, headers and whole body; a server
                # trickling bytes slowly defeats httpx's per-read timeout, not this one.
                async with asyncio.timeout(self.policy.timeout):
                    # The pre-check: the backend checks again, but its error cannot say "redirect".
                    port = target.port or (443 if target.scheme == "https" else 80)
                    await resolve(host, port, self.policy, redirect=redirect)
                    async with contextlib.AsyncExitStack() as stack:
                        response = await self._open(stack, url, headers, host)
                        return await self._read(response, kind, limit)
            except TimeoutError:
                raise FetchError(f"timed out after {self.policy.timeout:g} s") from None
            # InvalidURL and StreamError are no HTTPError; h11's and httpcore's protocol errors
            # arrive as httpx's LocalProtocolError and RemoteProtocolError, which are.
            except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError) as exc:
                raise FetchError(self._network_reason(exc, host)) from None

    async def _open(
        self, stack: contextlib.AsyncExitStack, url: str, headers: dict[str, str], host: str
    ) -> httpx.Response:
        """Send the request; the response is open until `stack` closes."""
        try:
            return await stack.enter_async_context(self._client.stream("GET", url, headers=headers))
        except ValueError as exc:
            # httpx builds the next request for any redirect, followed or not, and lets idna's
            # errors about the Location's host through (UnicodeError is a ValueError).
            raise FetchError(f"bad HTTP response from {host}: {_detail(exc)}") from None

    async def _read(self, response: httpx.Response, kind: Kind, limit: int) -> FetchResult | str:
        status = response.status_code
        if status in REDIRECTS:
            location = response.headers.get("Location")
            if not location:
                raise FetchError(f"HTTP {status} redirect without a Location", status=status)
            try:
                return str(response.url.join(location.strip()))
            except (httpx.InvalidURL, ValueError):  # ValueError: idna's and encoding errors
                raise FetchError(f"HTTP {status} redirect to an invalid URL") from None
        if status >= 300 and status != 304:
            phrase = httpx.codes.get_reason_phrase(status)  # not the server's free text
            retry = _retry_after(response.headers.get("Retry-After"), response.headers.get("Date"))
            message = f"HTTP {status} {phrase}".rstrip()
            raise FetchError(message, status=status, retry_after=retry)
        media, charset = _parse_content_type(response.headers.get("Content-Type"))
        if status != 304 and not acceptable_type(media, kind):
            raise FetchError(f"wrong content type {media} for a {kind}")
        body = b"" if status == 304 else await _read_body(response, limit)
        etag, last_modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        return FetchResult(str(response.url), status, media, charset, body, etag, last_modified)

    def _network_reason(self, exc: Exception, host: str) -> str:
        """A short reason for a failed connection or transfer: no traceback, no reprs."""
        if isinstance(exc, httpx.ConnectTimeout):
            return f"connection to {host} timed out after {self.policy.connect_timeout:g} s"
        if isinstance(exc, httpx.TimeoutException):
            return f"timed out after {self.policy.timeout:g} s"
        detail = _detail(exc)
        if isinstance(exc, httpx.ConnectError | OSError):
            return f"cannot connect to {host}: {detail}"
        if isinstance(exc, httpx.RemoteProtocolError):
            return f"bad HTTP response from {host}: {detail}"
        return f"network error with {host}: {detail}"
