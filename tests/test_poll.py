"""bot.ingest.poll end to end: real feeds and article pages over HTTP on 127.0.0.1, real SQLite
files, the real writers.

The server (`Site`) runs its own event loop on a thread of its own, so the code under test can
reach it from any loop: the test's (Poller), or the short loops that the admin commands and the
CLI start themselves (tests/test_admin_feeds.py and tests/test_cli_feeds.py use it too). Every
request is recorded with its arrival time and headers; each test says what each path serves.

Fixture documents in tests/data/poll/ are shaped like real outlets' feeds and pages; `@BASE@` in
them becomes the server's address.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import itertools
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.ingest.fetch import Fetcher, FetchPolicy
from bot.ingest.poll import Poller, PollSettings, fetch_article, ingest_article
from bot.ingest.writer import ProcessWriter, ThreadWriter
from bot.models import Feed, FeedSpec, PollSummary
from bot.store import feeds as store_feeds
from bot.store import open_db
from bot.store.db import from_iso

DATA = Path(__file__).parent / "data" / "poll"
NOW = dt.datetime(2026, 3, 11, 12, 0, tzinfo=dt.UTC)
LOCAL = frozenset({"127.0.0.1"})
RSS = "application/rss+xml"
ATOM = "application/atom+xml"
UTC = dt.UTC

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


# ----------------------------------------------------------------------------- the server


@dataclass
class Hit:
    """One request as the server saw it."""

    path: str
    at: float  # time.monotonic() on arrival
    headers: dict[str, str]


@dataclass
class Route:
    """What one path answers. With `conditional`, a request carrying the route's ETag or
    Last-Modified back gets a 304, as a well-behaved server answers."""

    body: bytes
    content_type: str | None = "text/html"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    conditional: bool = True


class Site:
    """An aiohttp server on 127.0.0.1 whose answers each test sets per path."""

    def __init__(self) -> None:
        self.base = ""
        self.routes: dict[str, Route | Handler] = {}
        self.hits: list[Hit] = []
        self.active = 0
        self.max_active = 0

    # --- what to serve

    def url(self, path: str) -> str:
        return self.base + path

    def serve(
        self,
        path: str,
        body: bytes | str,
        content_type: str | None = "text/html",
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        conditional: bool = True,
    ) -> str:
        """Serve `body` (str: with @BASE@ filled in) at `path`; returns its url."""
        if isinstance(body, str):
            body = body.replace("@BASE@", self.base).encode("utf-8")
        self.routes[path] = Route(body, content_type, status, headers or {}, delay, conditional)
        return self.url(path)

    def serve_file(self, path: str, name: str, content_type: str | None = None, **kw: Any) -> str:
        """Serve tests/data/poll/<name>; the type defaults from its extension."""
        if content_type is None:
            suffix = Path(name).suffix
            content_type = {".xml": RSS, ".rdf": "application/rdf+xml"}.get(suffix, "text/html")
            if "atom" in name:
                content_type = ATOM
        return self.serve(path, (DATA / name).read_text("utf-8"), content_type, **kw)

    def handle(self, path: str, handler: Handler) -> str:
        self.routes[path] = handler
        return self.url(path)

    # --- what was asked

    def requests(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path == path]

    def count(self, path: str) -> int:
        return len(self.requests(path))

    # --- plumbing

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.hits.append(Hit(request.path, time.monotonic(), dict(request.headers)))
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            route = self.routes.get(request.path)
            if route is None:
                return web.Response(status=404, text="<h1>Not found</h1>", content_type="text/html")
            if not isinstance(route, Route):
                return await route(request)
            if route.delay:
                await asyncio.sleep(route.delay)
            etag, modified = route.headers.get("ETag"), route.headers.get("Last-Modified")
            if route.conditional and (
                (etag and request.headers.get("If-None-Match") == etag)
                or (modified and request.headers.get("If-Modified-Since") == modified)
            ):
                return web.Response(status=304, headers=route.headers)
            headers = dict(route.headers)
            if route.content_type:
                headers["Content-Type"] = route.content_type
            return web.Response(body=route.body, status=route.status, headers=headers)
        finally:
            self.active -= 1

    async def _start(self) -> web.AppRunner:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._dispatch)
        # No access log: the CLI under test logs to stderr, where tests look for its output.
        runner = web.AppRunner(app, shutdown_timeout=0.1, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"
        return runner


async def _shutdown(runner: web.AppRunner) -> None:
    await runner.cleanup()
    # A handler still sleeping (a slow route the client gave up on) ends now, not at loop.close.
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


@contextlib.contextmanager
def running_site() -> Iterator[Site]:
    """A Site serving from a thread of its own until the block ends."""
    site = Site()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="test-site", daemon=True)
    thread.start()
    runner = asyncio.run_coroutine_threadsafe(site._start(), loop).result(10)
    try:
        yield site
    finally:
        asyncio.run_coroutine_threadsafe(_shutdown(runner), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


@pytest.fixture
def site() -> Iterator[Site]:
    with running_site() as s:
        yield s


# ----------------------------------------------------------------------------- helpers


def new_db(path: Path) -> Path:
    open_db(path).conn.close()  # created and migrated
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return new_db(tmp_path / "briefbot.db")


def follow(db_path: Path, url: str, outlet: str | None = None, language: str | None = None) -> Feed:
    db = open_db(db_path)
    try:
        feed, _ = store_feeds.add_feed(
            db, FeedSpec(url, outlet, language), now=NOW - dt.timedelta(hours=1)
        )
    finally:
        db.conn.close()
    return feed


def feed_row(db_path: Path, feed_id: int) -> Feed:
    db = open_db(db_path)
    try:
        feed = store_feeds.get_feed(db, feed_id)
    finally:
        db.conn.close()
    assert feed is not None
    return feed


def articles(db_path: Path) -> dict[str, dict[str, Any]]:
    """Every stored article by title."""
    db = open_db(db_path)
    try:
        rows = list(db.query("SELECT * FROM articles ORDER BY id"))
    finally:
        db.conn.close()
    return {r["title"]: r for r in rows}


def settings(**kw: Any) -> PollSettings:
    """Local, impolite (no delay) and quick unless a test says otherwise."""
    policy = kw.pop("policy", None) or FetchPolicy(allow_hosts=LOCAL, timeout=5.0)
    return PollSettings(**{"delay": 0.0, "policy": policy, **kw})


async def poll(
    db_path: Path,
    feeds: list[Feed],
    poll_settings: PollSettings | None = None,
    *,
    clock: Callable[[], dt.datetime] = lambda: NOW,
) -> PollSummary:
    writer = ThreadWriter(db_path)
    try:
        return await Poller(writer, poll_settings or settings(), clock=clock).poll(feeds)
    finally:
        await writer.close()


class Clock:
    """A fake clock the test moves by hand."""

    def __init__(self, start: dt.datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kw: float) -> dt.datetime:
        self.now += dt.timedelta(**kw)
        return self.now


def serve_wire(site: Site) -> str:
    """The RSS 2.0 feed and the article pages it links to; returns the feed's url."""
    site.serve_file("/wire/2026/03/11/bridge-inspection/", "wire_bridge.html")
    site.serve_file("/wire/harvest-festival/", "wire_harvest.html")
    # /wire/2026/03/11/fishing-season/ is not served: 404.
    return site.serve_file("/wire/feed/", "rss2_wire.xml")


# ----------------------------------------------------------------------------- 1. end to end


async def test_real_world_feeds_end_to_end(site: Site, db_path: Path) -> None:
    wire = follow(db_path, serve_wire(site), outlet="NW Agency")
    site.serve_file("/harbour/stories/terminal-hours", "harbour_terminal.html")
    harbour = follow(db_path, site.serve_file("/harbour/atom.xml", "atom_harbour.xml"))
    bulletin = follow(db_path, site.serve_file("/bulletin/index.rdf", "rdf_bulletin.rdf"))

    summary = await poll(db_path, [wire, harbour, bulletin])

    assert summary.errors == {}
    assert summary.feeds == 3
    assert summary.new_articles == 9
    stored = articles(db_path)
    assert len(stored) == 9

    # RSS 2.0: CDATA and entities in the title, content:encoded, a time zone to UTC.
    ferry = stored["Ferry operators & port staff agree on a new winter timetable"]
    assert ferry["url"] == site.url("/wire/2026/03/10/ferry-timetable/")
    assert ferry["outlet"] == "NW Agency"  # the FeedSpec's outlet, not the feed's title
    assert from_iso(ferry["published_at"]) == dt.datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    assert ferry["language"] == "en"
    assert ferry["text_source"] == "feed" and ferry["date_estimated"] == 0
    assert "fog season" in ferry["body"]
    assert "tracking pixel" not in ferry["body"]  # the script went
    assert "appeared first on" not in ferry["body"]  # the WordPress footer went

    # A teaser with a relative link: the page was fetched and its main text used.
    bridge = stored["Inspectors begin a safety review of the old border bridge"]
    assert bridge["url"] == site.url("/wire/2026/03/11/bridge-inspection/")
    assert bridge["text_source"] == "page"
    assert "nine spans" in bridge["body"] and "chamber of commerce" in bridge["body"]
    for boilerplate in ("newsletter", "All rights reserved", "Privacy policy", "Quiz of the week"):
        assert boilerplate not in bridge["body"]
    # The feed's date, not the page's (the entry has one).
    assert from_iso(bridge["published_at"]) == dt.datetime(2026, 3, 11, 8, 0, tzinfo=UTC)
    assert site.count("/wire/2026/03/11/bridge-inspection/") == 1

    # The page 404s: the teaser is all there is.
    fishing = stored["Fishing season opens three weeks early"]
    assert fishing["text_source"] == "summary"
    assert fishing["body"].startswith("The coastal fishing season opened three weeks early")
    assert site.count("/wire/2026/03/11/fishing-season/") == 1

    # The page is on a private address: refused, never requested; the teaser is kept.
    power = stored["Power line repairs cut electricity to three villages"]
    assert power["text_source"] == "summary"
    assert power["url"] == "http://10.0.0.1/wire/power-cut/"

    # No date anywhere: the poller's clock, marked as estimated.
    museum = stored["City museum reopens after two years of repairs"]
    assert museum["text_source"] == "feed"
    assert from_iso(museum["published_at"]) == NOW
    assert museum["date_estimated"] == 1

    # No date in the feed, but the page has one (JSON-LD): the page's date.
    harvest = stored["Harvest festival moves to the river park"]
    assert harvest["text_source"] == "page"
    assert from_iso(harvest["published_at"]) == dt.datetime(2026, 3, 9, 1, 0, tzinfo=UTC)
    assert harvest["date_estimated"] == 0
    assert "temporary footbridge" in harvest["body"]

    # Atom: xml:base, relative links resolved against it (per entry), <updated> only, and the
    # feed's title as the outlet (the feed was added without one).
    terminal = stored["Container terminal extends its opening hours"]
    assert terminal["url"] == site.url("/harbour/stories/terminal-hours")
    assert terminal["outlet"] == "Harbour Agency"
    assert from_iso(terminal["published_at"]) == dt.datetime(2026, 3, 11, 4, 0, tzinfo=UTC)
    assert terminal["text_source"] == "page"
    assert "two inspection lanes" in terminal["body"]
    assert "cookies" not in terminal["body"]
    assert terminal["language"] == "en"
    dredging = stored["Dredging of the inner channel is finished"]
    assert dredging["url"] == site.url("/harbour/stories/dredging-done")
    assert dredging["text_source"] == "feed"
    assert from_iso(dredging["published_at"]) == dt.datetime(2026, 3, 10, 22, 0, tzinfo=UTC)

    # RSS 1.0: dc:date, a long description is the article.
    snow = stored["Late snow closes mountain roads"]
    assert snow["outlet"] == "Evening Bulletin"
    assert snow["url"] == site.url("/bulletin/20260310/snow.html")
    assert from_iso(snow["published_at"]) == dt.datetime(2026, 3, 10, 12, 15, tzinfo=UTC)
    assert snow["text_source"] == "feed"

    # The feeds' health and what the poll learnt about them.
    after = feed_row(db_path, wire.id)
    assert after.title == "Northern Wire" and after.outlet == "NW Agency"
    assert after.language == "en"
    assert after.last_success_at == NOW and after.error_count == 0
    assert after.articles == 6
    assert feed_row(db_path, harbour.id).articles == 2


# ----------------------------------------------------------------------------- small documents


def rss(*items: str, title: str = "Small Wire", language: str = "en") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{title}</title><link>@BASE@/</link><language>{language}</language>"
        f"{''.join(items)}</channel></rss>"
    )


def item(
    title: str,
    link: str | None,
    *,
    guid: str | None = None,
    text: str | None = None,
    date: str | None = "Wed, 11 Mar 2026 08:00:00 GMT",
) -> str:
    """An RSS item; without `text` its description is a one-line teaser (its page is fetched)."""
    parts = [f"<title>{title}</title>"]
    if link is not None:
        parts.append(f"<link>{link}</link>")
    if guid is not None:
        parts.append(f'<guid isPermaLink="false">{guid}</guid>')
    if date is not None:
        parts.append(f"<pubDate>{date}</pubDate>")
    parts.append(f"<description>{text or f'{title}, the officials said …'}</description>")
    return f"<item>{''.join(parts)}</item>"


def page(
    title: str, *paragraphs: str, date: str | None = "2026-03-11T07:00:00Z", site: str = ""
) -> str:
    """An article page with a menu and a footer around it (`date` None: no date anywhere)."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs) or (
        f"<p>{title} was confirmed by officials on Wednesday morning in the capital.</p>"
        f"<p>More details about {title.lower()} are expected to follow later this week.</p>"
    )
    meta = f'<meta property="og:site_name" content="{site}">' if site else ""
    if date is not None:
        meta += f'<meta property="article:published_time" content="{date}">'
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"{meta}</head><body>"
        '<nav><a href="/">Home</a> <a href="/news">News</a> Subscribe to our newsletter</nav>'
        f"<article><h1>{title}</h1>{body}</article>"
        "<footer>Copyright 2026. All rights reserved.</footer></body></html>"
    )


DREDGING_TEXT = (
    "Dredging of the harbour mouth was finished on Tuesday, and ships with a draught of twelve"
    " metres can now reach the grain quay at any tide, the port authority said. "
    "The work removed about a million cubic metres of silt, taken out to sea and dumped at a"
    " licensed site beyond the shipping lanes under the watch of environmental inspectors. "
    "Exporters had pressed for the deeper channel for a decade, saying larger ships calling at"
    " a neighbouring port had cost them contracts; they expect loadings to rise by a fifth. "
    "The authority will survey the channel every spring and plans a second phase for the outer"
    " approaches once the regional assembly approves the budget for it next year."
)


def count_articles(db_path: Path) -> int:
    db = open_db(db_path)
    try:
        return int(db.execute("SELECT count(*) FROM articles").fetchone()[0])
    finally:
        db.conn.close()


# ----------------------------------------------------------------------------- 2. conditional GET


async def test_conditional_get_304(site: Site, db_path: Path) -> None:
    etag, modified = '"wire-v1"', "Wed, 11 Mar 2026 09:00:00 GMT"
    site.serve("/p/1", page("Bridge tolls rise"))
    url = site.serve(
        "/feed",
        rss(item("Bridge tolls rise", "@BASE@/p/1")),
        RSS,
        headers={"ETag": etag, "Last-Modified": modified},
    )
    feed = follow(db_path, url)
    clock = Clock()

    first = await poll(db_path, [feed], clock=clock)
    assert first.new_articles == 1 and first.not_modified == 0
    stored = feed_row(db_path, feed.id)
    assert (stored.etag, stored.last_modified) == (etag, modified)
    assert "If-None-Match" not in site.requests("/feed")[0].headers

    clock.advance(minutes=40)
    second = await poll(db_path, [stored], clock=clock)
    conditional = site.requests("/feed")[1].headers
    assert conditional["If-None-Match"] == etag
    assert conditional["If-Modified-Since"] == modified
    assert second.not_modified == 1
    assert second.new_articles == 0 and second.errors == {}
    assert count_articles(db_path) == 1
    assert site.count("/p/1") == 1
    after = feed_row(db_path, feed.id)
    assert after.last_success_at == clock.now  # a 304 is a success
    assert (after.etag, after.last_modified) == (etag, modified)  # kept, though the 304 omits them


# ----------------------------------------------------------------------------- 3. dedup


async def test_repolling_the_same_document_adds_nothing(site: Site, db_path: Path) -> None:
    for n in (1, 2, 3):
        site.serve(f"/p/{n}", page(f"Harbour story number {n}"))
    items = [item(f"Harbour story number {n}", f"@BASE@/p/{n}", guid=f"g{n}") for n in (1, 2, 3)]
    # The server ignores conditional headers (many do): the same bytes come back.
    url = site.serve("/feed", rss(*items), RSS, headers={"ETag": '"x"'}, conditional=False)
    feed = follow(db_path, url)

    first = await poll(db_path, [feed])
    assert first.new_articles == 3 and first.duplicates == 0
    second = await poll(db_path, [feed_row(db_path, feed.id)])
    assert second.new_articles == 0
    assert second.duplicates == 3
    assert second.not_modified == 0 and second.errors == {}
    assert count_articles(db_path) == 3
    assert [site.count(f"/p/{n}") for n in (1, 2, 3)] == [1, 1, 1]  # no page fetched again


async def test_moved_guid_and_shared_entries_are_indexed_once(site: Site, db_path: Path) -> None:
    for n in (1, 2, 3):
        site.serve(f"/p/{n}", page(f"Customs story number {n}"))
    one = item("Customs story number 1", "@BASE@/p/1", guid="old-guid-1")
    shared = item("Customs story number 2", "@BASE@/p/2", guid="a-2")
    feed_a = follow(db_path, site.serve("/a.xml", rss(one, shared, title="Feed A"), RSS))
    first = await poll(db_path, [feed_a])
    assert first.new_articles == 2

    # The publisher re-issues entry 1 under a new guid (same link), and feed B carries entry 2
    # (under its own guid) along with a new one.
    moved = item("Customs story number 1 (updated)", "@BASE@/p/1", guid="new-guid-1")
    site.serve("/a.xml", rss(moved, shared, title="Feed A"), RSS)
    theirs = item("Customs story number 2", "@BASE@/p/2", guid="b-2")
    new = item("Customs story number 3", "@BASE@/p/3", guid="b-3")
    feed_b = follow(db_path, site.serve("/b.xml", rss(theirs, new, title="Feed B"), RSS))

    again = await poll(db_path, [feed_row(db_path, feed_a.id)])
    assert again.new_articles == 0 and again.duplicates == 2
    other = await poll(db_path, [feed_b])
    assert other.new_articles == 1 and other.duplicates == 1
    assert count_articles(db_path) == 3
    # A page whose url is indexed already is not fetched again, whichever feed names it.
    assert [site.count(f"/p/{n}") for n in (1, 2, 3)] == [1, 1, 1]

    # Both feeds remember the shared entry, pointing at the one article.
    db = open_db(db_path)
    try:
        rows = db.execute(
            "SELECT e.feed_id, e.key, a.url FROM feed_entries e JOIN articles a"
            " ON a.id = e.article_id WHERE a.url = ? ORDER BY e.feed_id",
            [site.url("/p/2")],
        ).fetchall()
    finally:
        db.conn.close()
    assert [(r[0], r[1]) for r in rows] == [(feed_a.id, "guid:a-2"), (feed_b.id, "guid:b-2")]


async def test_two_feeds_sharing_an_entry_in_one_poll(site: Site, db_path: Path) -> None:
    site.serve("/p/9", page("Rail freight record"))
    feeds = [
        follow(
            db_path,
            site.serve(
                f"/{n}.xml",
                rss(item("Rail freight record", "@BASE@/p/9", guid=f"{n}-9"), title=n),
                RSS,
            ),
        )
        for n in ("one", "two")
    ]
    summary = await poll(db_path, feeds)
    assert summary.new_articles == 1 and summary.duplicates == 1
    assert count_articles(db_path) == 1


# ----------------------------------------------------------------------------- 4. failures

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>http://127.0.0.1/x</link></item></channel></rss>
"""


async def redirect_to_private(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("http://10.0.0.1/feed.xml")


async def endless_redirect(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound(f"/loop?n={int(request.query.get('n', '0')) + 1}")


async def test_each_failure_is_that_feeds_alone(site: Site, db_path: Path) -> None:
    good = item("Ferry fares frozen", None, text=DREDGING_TEXT)
    huge = rss(*(item(f"Filler number {n}", f"@BASE@/f/{n}") for n in range(400)))
    assert len(huge) > 20_000
    served = {
        "good": site.serve("/good.xml", rss(good), RSS),
        "500": site.serve("/500.xml", "oops", RSS, status=500),
        "slow": site.serve("/slow.xml", rss(good), RSS, delay=3.0),
        "private": site.handle("/private.xml", redirect_to_private),
        "laughs": site.serve("/laughs.xml", BILLION_LAUGHS, RSS),
        "png": site.serve("/image.xml", b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png"),
        "utf8": site.serve(
            "/bad-utf8.xml",
            b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            b"<title>Caf\xe9 news</title></channel></rss>",
            RSS,
        ),
        "loop": site.handle("/loop", endless_redirect),
        "huge": site.serve("/huge.xml", huge, RSS),
        "text": site.serve("/text.xml", "nothing to see here", "text/plain"),
        "html": site.serve("/page.xml", page("Not a feed at all"), "text/html"),
    }
    feeds = {name: follow(db_path, url) for name, url in served.items()}
    policy = FetchPolicy(allow_hosts=LOCAL, timeout=0.5, max_bytes=20_000)

    summary = await poll(db_path, list(feeds.values()), settings(policy=policy))

    assert summary.feeds == len(feeds)
    assert summary.new_articles == 1  # the good feed's
    assert count_articles(db_path) == 1
    expected = {
        "500": "HTTP 500 Internal Server Error",
        "slow": "timed out after 0.5 s",
        "private": "refused: redirect to 10.0.0.1, a private address",
        "laughs": "refused: the feed declares XML entities (a possible entity-expansion attack)",
        "png": "wrong content type image/png for a feed",
        "utf8": "not valid UTF-8 (invalid byte 0xe9 at offset",
        "loop": "too many redirects (more than 5)",
        "huge": "response larger than 20 kB",
        "text": "not a feed (binary data, or text without XML markup)",
        "html": "this is a web page, not a feed",
    }
    assert set(summary.errors) == {served[name] for name in expected}
    for name, reason in expected.items():
        got = summary.errors[served[name]]
        assert got.startswith(reason), (name, got)
        assert "Traceback" not in got and "\n" not in got and len(got) < 200, (name, got)
        stored = feed_row(db_path, feeds[name].id)
        assert stored.last_error == got
        assert stored.error_count == 1 and stored.failing_since == NOW and stored.active
    ok = feed_row(db_path, feeds["good"].id)
    assert ok.error_count == 0 and ok.last_success_at == NOW and ok.articles == 1
    assert site.count("/loop") == 6  # the first request and five redirects, then it gave up


# ----------------------------------------------------------------------------- 5. health


async def test_backoff_recovery_and_deactivation_once(site: Site, db_path: Path) -> None:
    url = site.serve("/flaky.xml", "down", RSS, status=503)
    feed = follow(db_path, url)
    interval = dt.timedelta(minutes=30)
    clock = Clock()
    writer = ThreadWriter(db_path)
    poller = Poller(
        writer, settings(interval=interval, max_failing=dt.timedelta(hours=6)), clock=clock
    )

    def backoff(errors: int) -> tuple[dt.timedelta, dt.timedelta]:
        delay = interval * 2**errors  # ±20 % jitter
        return delay * 0.8 - dt.timedelta(seconds=1), delay * 1.2 + dt.timedelta(seconds=1)

    async def poll_when_due() -> PollSummary:
        due = feed_row(db_path, feed.id).next_poll_at
        assert due is not None
        clock.now = max(clock.now, due) + dt.timedelta(seconds=1)
        summary = await poller.poll_due()
        assert summary is not None
        return summary

    try:
        first_failure = clock.now
        assert (await poller.poll_due()).errors == {url: "HTTP 503 Service Unavailable"}
        for errors in (1, 2, 3):
            if errors > 1:
                assert (await poll_when_due()).errors
            stored = feed_row(db_path, feed.id)
            assert stored.error_count == errors
            assert stored.failing_since == first_failure
            assert stored.next_poll_at is not None
            low, high = backoff(errors)
            assert low <= stored.next_poll_at - clock.now <= high, errors
            assert stored.health == "failing"

        # It comes back: the error run ends, the next poll is one interval away.
        site.serve("/flaky.xml", rss(item("Lighthouse repaired", None, text=DREDGING_TEXT)), RSS)
        back = await poll_when_due()
        assert back.errors == {} and back.new_articles == 1
        stored = feed_row(db_path, feed.id)
        assert stored.error_count == 0 and stored.failing_since is None
        assert stored.last_error == "HTTP 503 Service Unavailable"  # kept, as history
        assert stored.next_poll_at is not None
        low, high = backoff(0)
        assert low <= stored.next_poll_at - clock.now <= high

        # Down again, for good: deactivated once the run is 6 hours old, and said so once.
        site.serve("/flaky.xml", "gone", RSS, status=500)
        run_start: dt.datetime | None = None
        deactivated: list[Feed] = []
        for _ in range(20):
            summary = await poll_when_due()
            run_start = run_start or clock.now
            deactivated += summary.deactivated
            if not feed_row(db_path, feed.id).active:
                break
        stored = feed_row(db_path, feed.id)
        assert not stored.active and stored.health == "inactive"
        assert [f.id for f in deactivated] == [feed.id]
        assert stored.deactivated_at == clock.now
        assert stored.failing_since == run_start
        assert clock.now - run_start >= dt.timedelta(hours=6)

        # Never due again, however long we wait; polled by hand, it is not "deactivated" twice.
        clock.advance(days=30)
        assert (await poller.poll_due()) == PollSummary()
        forced = await poller.poll([stored])
        assert forced.errors and forced.deactivated == []
        assert not feed_row(db_path, feed.id).active
    finally:
        await writer.close()


# ----------------------------------------------------------------------------- 6. child process


async def test_process_writer_poll(site: Site, db_path: Path) -> None:
    feed = follow(db_path, serve_wire(site), outlet="NW Agency")
    writer = ProcessWriter(db_path)
    try:
        summary = await Poller(writer, settings(), clock=lambda: NOW).poll([feed])
        again = await Poller(writer, settings(), clock=lambda: NOW).poll(
            [feed_row(db_path, feed.id)]
        )
    finally:
        await writer.close()
    assert summary.errors == {} and summary.new_articles == 6
    assert again.new_articles == 0 and again.duplicates == 6
    stored = articles(db_path)
    assert len(stored) == 6
    assert stored["Inspectors begin a safety review of the old border bridge"]["text_source"] == (
        "page"
    )
    assert feed_row(db_path, feed.id).articles == 6


# ----------------------------------------------------------------------------- 7. single urls

TRAIN_REPORTS = {
    "Seoul Daily": (
        "Beijing–Pyongyang passenger trains to resume after six years",
        "Passenger train services between Beijing and Pyongyang will resume on Thursday, six"
        " years after they were suspended because of the Covid-19 pandemic, travel agents said.",
        "Ticket offices in Beijing and the border city of Dandong began selling tickets on Tuesday"
        " to Chinese people working and studying in North Korea, the agents said.",
        "The first international train leaves Beijing on Thursday, March 12. Tourists are not yet"
        " eligible to buy tickets, and China's foreign ministry did not confirm the reports.",
    ),
    "Dandong Times": (
        "Train service between Beijing and Pyongyang resumes this week",
        "The passenger train service between Beijing and Pyongyang resumes on Thursday after six"
        " years of suspension over the Covid-19 pandemic, according to travel agents in Dandong.",
        "Chinese people working and studying in North Korea can now buy tickets at offices in"
        " Beijing and Dandong, and the first train leaves on Thursday, March 12.",
        "Tourists are not yet eligible for tickets. The foreign ministry in Beijing did not confirm"
        " the reports when asked on Tuesday.",
    ),
    "Border Post": (
        "Beijing-Pyongyang international train back on Thursday",
        "International passenger trains between Beijing and Pyongyang are back from Thursday, six"
        " years after the Covid-19 pandemic halted them, travel agents in Dandong said on Tuesday.",
        "Tickets went on sale in Beijing and Dandong for Chinese people working and studying in"
        " North Korea; the first train departs on Thursday, March 12.",
        "Tourists cannot buy tickets yet, the agents said, and China's foreign ministry did not"
        " confirm the resumption.",
    ),
}


async def test_ingest_single_urls_and_describe(site: Site, db_path: Path) -> None:
    urls = {}
    for n, (outlet, (title, *paragraphs)) in enumerate(TRAIN_REPORTS.items()):
        date = f"2026-03-10T0{n}:30:00Z"
        urls[outlet] = site.serve(f"/news/{n}", page(title, *paragraphs, date=date, site=outlet))
    db = open_db(db_path)
    try:
        async with Fetcher(FetchPolicy(allow_hosts=LOCAL), delay=0) as fetcher:
            done = []
            for outlet, url in urls.items():
                raw = await fetch_article(fetcher, url, now=NOW)
                assert raw.outlet == outlet and raw.text_source == "page"
                done.append(ingest_article(db, raw, NOW))
            again = ingest_article(
                db, await fetch_article(fetcher, urls["Border Post"], now=NOW), NOW
            )
        stored = {r["outlet"]: r for r in db.query("SELECT * FROM articles")}
    finally:
        db.conn.close()

    last = done[-1]
    assert last.added and last.article_id is not None
    assert last.title == "Beijing-Pyongyang international train back on Thursday"
    assert last.outlet == "Border Post"
    assert last.url == urls["Border Post"]
    assert last.published_at == dt.datetime(2026, 3, 10, 2, 30, tzinfo=UTC)
    assert not last.date_estimated
    assert last.story_outlets == ["Dandong Times", "Seoul Daily"]
    assert last.story_size == 3
    assert "beijing-pyongyang" in last.situations
    assert stored["Border Post"]["text_source"] == "page"
    assert "newsletter" not in stored["Border Post"]["body"]

    # The same url again: nothing added, and the reply describes the article it already has.
    assert not again.added
    assert again.article_id == last.article_id
    assert again.story_outlets == last.story_outlets


# bot.ingest.readers.parse_html raises "no publication date" for a page without date metadata,
# so fetch_article's fetch-time fallback never applies (/ingest refuses the page) and a dated
# teaser's page text is thrown away. The fix belongs in readers (an opt-out of the date check).
def undated_page(title: str) -> str:
    return page(title, date=None)


async def test_undated_page_is_dated_by_the_fetch(site: Site) -> None:
    url = site.serve("/undated", undated_page("Lighthouse keeper retires"))
    async with Fetcher(FetchPolicy(allow_hosts=LOCAL), delay=0) as fetcher:
        raw = await fetch_article(fetcher, url, now=NOW)
    assert raw.published_at == NOW and raw.date_estimated


async def test_undated_page_of_a_dated_teaser_is_used(site: Site, db_path: Path) -> None:
    site.serve("/p/undated", undated_page("Lighthouse keeper retires"))
    feed = follow(
        db_path,
        site.serve("/u.xml", rss(item("Lighthouse keeper retires", "@BASE@/p/undated")), RSS),
    )
    assert (await poll(db_path, [feed])).new_articles == 1
    stored = articles(db_path)["Lighthouse keeper retires"]
    assert from_iso(stored["published_at"]) == dt.datetime(2026, 3, 11, 8, 0, tzinfo=UTC)
    assert stored["text_source"] == "page"


# ----------------------------------------------------------------------------- 8. politeness


async def test_pages_of_one_host_are_fetched_politely(site: Site, db_path: Path) -> None:
    paths = [f"/polite/{n}" for n in range(4)]
    for n, path in enumerate(paths):
        site.serve(path, page(f"Polite story number {n}"))
    items = [item(f"Polite story number {n}", f"@BASE@{p}") for n, p in enumerate(paths)]
    feed = follow(db_path, site.serve("/polite.xml", rss(*items), RSS))
    delay = 0.2

    summary = await poll(db_path, [feed], settings(delay=delay, per_host=1))

    assert summary.new_articles == 4
    starts = sorted(h.at for h in site.hits)  # the feed, then its four pages
    assert len(starts) == 5
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    # Lower bounds only (a slow machine only makes the gaps longer); a little slack for the
    # difference between when a request was booked and when the server saw it arrive.
    assert all(gap >= delay * 0.8 for gap in gaps), gaps
    assert starts[-1] - starts[0] >= 4 * delay * 0.95
    assert site.max_active == 1


async def test_per_host_concurrency_limit(site: Site, db_path: Path) -> None:
    paths = [f"/busy/{n}" for n in range(6)]
    for n, path in enumerate(paths):
        site.serve(path, page(f"Busy story number {n}"), delay=0.15)
    items = [item(f"Busy story number {n}", f"@BASE@{p}") for n, p in enumerate(paths)]
    feed = follow(db_path, site.serve("/busy.xml", rss(*items), RSS))

    summary = await poll(db_path, [feed], settings(per_host=2))

    assert summary.new_articles == 6
    assert site.max_active <= 2


# ----------------------------------------------------------------------------- languages


async def test_the_admins_language_beats_the_feeds_own(site: Site, db_path: Path) -> None:
    # A Korean outlet's feed whose CMS declares every feed English: the admin said "ko".
    full = item("Harbour report", None, text=DREDGING_TEXT)
    url = site.serve("/ko.xml", rss(full, title="Korean Desk", language="en-US"), RSS)
    feed = follow(db_path, url, outlet="Korean Desk", language="ko")
    summary = await poll(db_path, [feed])
    assert summary.new_articles == 1
    assert articles(db_path)["Harbour report"]["language"] == "ko"
    assert feed_row(db_path, feed.id).language == "ko"


async def test_one_page_named_twice_in_a_feed_is_fetched_once(site: Site, db_path: Path) -> None:
    # Two entries (two categories, two guids) for one article: one request for its page.
    site.serve("/p/twice", page("Crane collapse at the quay"))
    items = [item("Crane collapse at the quay", "@BASE@/p/twice", guid=g) for g in ("c1", "c2")]
    feed = follow(db_path, site.serve("/twice.xml", rss(*items), RSS))
    summary = await poll(db_path, [feed])
    assert summary.new_articles == 1 and summary.duplicates == 1
    assert site.count("/p/twice") == 1


# ----------------------------------------------------------------------------- default feeds


def test_seed_default_feeds_once(db_path: Path, tmp_path: Path) -> None:
    from bot.config import ROOT
    from bot.ingest.feeds import load_feed_specs
    from bot.ingest.poll import seed_default_feeds

    seeds = ROOT / "seeds" / "feeds.toml"
    broken = tmp_path / "feeds.toml"
    broken.write_text('[[feed]]\nurl = "ftp://nowhere"\noutlet = "X"\n')
    db = open_db(db_path)
    try:
        assert seed_default_feeds(db, tmp_path / "missing.toml", now=NOW) == 0
        assert seed_default_feeds(db, broken, now=NOW) == 0  # logged, never fatal
        assert seed_default_feeds(db, seeds, now=NOW) == len(load_feed_specs(seeds))
        first = store_feeds.list_feeds(db)[0]
        store_feeds.remove_feed(db, first.id)
        # Once per database: a default the admin removed stays removed.
        assert seed_default_feeds(db, seeds, now=NOW) == 0
        assert store_feeds.get_feed(db, first.url) is None
    finally:
        db.conn.close()


# ----------------------------------------------------------------------------- removed mid-poll


@pytest.mark.parametrize("when", ["feed", "page", "not-modified"])
async def test_a_feed_removed_while_it_is_polled(site: Site, db_path: Path, when: str) -> None:
    # An admin's /removefeed (on the router's connection) lands while the poll waits on the
    # network: that feed's poll ends with a word, and the other feeds' poll goes on.
    etag = '"v1"'
    doomed_url = site.url("/doomed.xml")
    doc = rss(item("Pier closed for repairs", "@BASE@/p/pier")).replace("@BASE@", site.base)

    def remove() -> None:
        db = open_db(db_path)
        try:
            gone = store_feeds.get_feed(db, doomed_url)
            assert gone is not None
            store_feeds.remove_feed(db, gone.id)
        finally:
            db.conn.close()

    async def doomed_feed(request: web.Request) -> web.StreamResponse:
        if when == "not-modified":
            assert request.headers.get("If-None-Match") == etag
            remove()
            return web.Response(status=304)
        if when == "feed":
            remove()
        return web.Response(body=doc.encode(), content_type=RSS, headers={"ETag": etag})

    async def doomed_page(request: web.Request) -> web.StreamResponse:
        remove()
        return web.Response(text=page("Pier closed for repairs"), content_type="text/html")

    site.handle("/doomed.xml", doomed_feed)
    site.handle("/p/pier", doomed_page)
    doomed = follow(db_path, doomed_url)
    if when == "not-modified":
        doomed = dataclasses.replace(doomed, etag=etag)
    text = "A. " + DREDGING_TEXT
    other = follow(
        db_path, site.serve("/other.xml", rss(item("Tug launched", None, text=text)), RSS)
    )

    summary = await poll(db_path, [doomed, other])

    assert summary.feeds == 2
    assert summary.errors == {doomed_url: "the feed was removed while it was being polled"}
    assert summary.new_articles == 1
    assert list(articles(db_path)) == ["Tug launched"]  # nothing indexed for the removed feed
    assert feed_row(db_path, other.id).articles == 1


async def test_retry_after_is_obeyed_when_later_than_the_backoff(site: Site, db_path: Path) -> None:
    url = site.serve("/busy.xml", "slow down", RSS, status=429, headers={"Retry-After": "7200"})
    feed = follow(db_path, url)
    summary = await poll(db_path, [feed], settings(interval=dt.timedelta(minutes=10)))
    assert "HTTP 429" in summary.errors[url]
    due = feed_row(db_path, feed.id).next_poll_at
    assert due is not None and due >= NOW + dt.timedelta(hours=2)


def test_background_polling_polls_due_feeds_until_stopped(site: Site, db_path: Path) -> None:
    """The console's scheduler: a thread of its own that polls whatever is due."""
    import time as _time

    from bot.ingest.poll import BackgroundPolling

    body = " ".join(f"Sentence {i} about the harbour strike in Busan." for i in range(30))
    url = site.serve("/bg.xml", rss(item("Busan dock strike", "@BASE@/bg/1", text=body)), RSS)
    follow(db_path, url)
    polling = BackgroundPolling(db_path, ThreadWriter(db_path), settings(), every=0.05)
    polling.start()
    try:
        for _ in range(400):
            if count_articles(db_path):
                break
            _time.sleep(0.025)
    finally:
        polling.stop()
    assert count_articles(db_path) == 1
    assert not polling._thread.is_alive()


# ----------------------------------------------------------------------------- review fixes


def test_one_outlet_name_per_feed_from_its_title_and_site() -> None:
    from bot.ingest.poll import outlet_name, site_of

    assert site_of("https://news.bbc.co.uk/x") == "bbc.co.uk"
    assert site_of("https://en.yna.co.kr/RSS/news.xml") == "yna.co.kr"
    assert site_of("http://127.0.0.1:8080/feed") == "127.0.0.1"
    cases = {
        ("North Korea | The Guardian", "https://www.theguardian.com/world"): "The Guardian",
        ("China | The Guardian", "https://www.theguardian.com/world"): "The Guardian",
        ("BBC News - Asia", "https://www.bbc.co.uk/news/"): "BBC News",
        ("Yonhap News Agency", "https://en.yna.co.kr/"): "Yonhap News Agency",
        ("38 North: Informed Analysis of North Korea", "https://www.38north.org"): "38 North",
        ("Top stories - World", "https://example.com/"): "example.com",
        (None, "https://feeds.example.org/rss"): "example.org",
    }
    for (title, site), want in cases.items():
        assert outlet_name(title, site) == want, (title, site)


def test_a_deadline_interrupts_python_code_in_the_main_thread_only() -> None:
    import threading

    from bot.ingest.writer import deadline

    with pytest.raises(TimeoutError), deadline(0.05):
        while True:
            pass
    finished = []

    def in_a_thread() -> None:
        with deadline(0.01):  # cannot be enforced off the main thread: the block runs through
            _t0 = dt.datetime.now()
            while (dt.datetime.now() - _t0).total_seconds() < 0.05:
                pass
        finished.append(True)

    worker = threading.Thread(target=in_a_thread)
    worker.start()
    worker.join()
    assert finished == [True]


async def test_pages_beyond_the_budget_wait_for_the_next_poll(site: Site, db_path: Path) -> None:
    items = []
    for n in range(5):
        title = f"Harbour notice number {n} for pilots"
        site.serve(f"/p/{n}", page(title))
        date = f"Wed, 11 Mar 2026 0{n}:00:00 GMT"
        items.append(item(title, f"@BASE@/p/{n}", date=date))
    url = site.serve("/budget.xml", rss(*items), RSS, conditional=False)
    feed = follow(db_path, url)
    first = await poll(db_path, [feed], settings(max_pages=2))
    assert first.new_articles == 2
    stored = articles(db_path)
    # Newest first: notices 4 and 3, from their pages.
    assert set(stored) == {
        "Harbour notice number 4 for pilots",
        "Harbour notice number 3 for pilots",
    }
    assert {r["text_source"] for r in stored.values()} == {"page"}
    second = await poll(db_path, [feed], settings(max_pages=2))
    third = await poll(db_path, [feed], settings(max_pages=2))
    assert (second.new_articles, third.new_articles) == (2, 1)
    assert {r["text_source"] for r in articles(db_path).values()} == {"page"}


async def test_a_throttling_host_is_left_alone_and_its_entries_wait(
    site: Site, db_path: Path
) -> None:
    for n in range(3):
        site.serve(f"/busy/{n}", "slow down", status=429)
    items = [item(f"Ferry timetable change {n}", f"@BASE@/busy/{n}") for n in range(3)]
    feed = follow(db_path, site.serve("/busy.xml", rss(*items), RSS, conditional=False))
    summary = await poll(db_path, [feed])
    assert summary.new_articles == 0 and not summary.errors
    asked = [h.path for h in site.hits if h.path.startswith("/busy/")]
    # After the first 429 no new request goes to that host (those already in flight, at most
    # per_host of them, finish).
    assert len(asked) <= 2, asked
    for n in range(3):
        site.serve(f"/busy/{n}", page(f"Ferry timetable change {n}"))
    again = await poll(db_path, [feed])
    assert again.new_articles == 3
    assert {r["text_source"] for r in articles(db_path).values()} == {"page"}


async def test_a_page_that_ends_on_another_site_is_not_the_article(
    site: Site, db_path: Path
) -> None:
    from aiohttp import web as aioweb

    consent = "localhost"  # another host name for the same server: another site
    site.serve("/consent", page("Before you continue", "We use cookies. " * 20))

    async def to_consent(request: aioweb.Request) -> aioweb.StreamResponse:
        raise aioweb.HTTPFound(f"http://{consent}:{site.base.rsplit(':', 1)[1]}/consent")

    site.handle("/story", to_consent)
    feed = follow(db_path, site.serve("/c.xml", rss(item("Dam gates opened", "@BASE@/story")), RSS))
    policy = FetchPolicy(allow_hosts=frozenset({"127.0.0.1", "localhost"}), timeout=5.0)
    summary = await poll(db_path, [feed], settings(policy=policy))
    assert summary.new_articles == 1
    stored = articles(db_path)["Dam gates opened"]
    assert stored["text_source"] == "summary" and "cookies" not in stored["body"]


async def test_korean_page_labelled_by_the_http_header(site: Site, db_path: Path) -> None:
    body = "<p>" + "똠방각하 부산항 부두 노동자들이 금요일 파업을 이어갔다. " * 12 + "</p>"
    html = (
        "<html><head><title>부산항 파업</title>"
        '<meta property="article:published_time" content="2026-03-11T01:00:00Z"></head>'
        f"<body><article><h1>부산항 파업</h1>{body}</article></body></html>"
    )
    site.serve("/ko/1", html.encode("cp949"), "text/html; charset=euc-kr")
    feed = follow(db_path, site.serve("/ko.xml", rss(item("부산항 파업", "@BASE@/ko/1")), RSS))
    summary = await poll(db_path, [feed])
    assert summary.new_articles == 1
    stored = articles(db_path)["부산항 파업"]
    assert stored["text_source"] == "page" and "똠방각하" in stored["body"]


async def test_a_home_page_canonical_does_not_name_the_article(site: Site) -> None:
    html = page("Quay wall repaired", DREDGING_TEXT).replace(
        "<head>", '<head><link rel="canonical" href="/">'
    )
    url = site.serve("/news/quay", html)
    async with Fetcher(FetchPolicy(allow_hosts=LOCAL), delay=0) as fetcher:
        raw = await fetch_article(fetcher, url, now=NOW)
    assert raw.url == url


def test_the_script_says_the_language_when_the_feed_declares_english() -> None:
    from bot.ingest.poll import script_language

    assert script_language("북한 철도 운행 재개, 평양행 열차") == "ko"
    assert script_language("朝鲜恢复北京至平壤的旅客列车") == "zh"
    assert script_language("北朝鮮の列車が運行を再開した") == "ja"
    assert script_language("Pyongyang 평양 trains resume") is None
