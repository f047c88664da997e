"""The admins' commands through the router: /addfeed /feeds /removefeed /ingest, over a real
database file and real HTTP on 127.0.0.1 (tests.test_poll's Site)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.commands import Router
from bot.config import Settings
from bot.ingest.fetch import FetchPolicy
from bot.ingest.poll import Poller, PollSettings
from bot.ingest.writer import ThreadWriter
from bot.models import ChatContext, Reply
from bot.render import check_html, render
from bot.store import feeds as store_feeds
from bot.store import open_db
from tests.test_poll import (
    LOCAL,
    RSS,
    TRAIN_REPORTS,
    Site,
    follow,
    item,
    new_db,
    page,
    rss,
    running_site,
    serve_wire,
)

NOW = dt.datetime(2026, 3, 11, 12, 0, tzinfo=dt.UTC)
BOT_ADMIN, USER = 42, 7
ADMIN_TEXTS = ["/addfeed {base}/wire/feed/", "/feeds", "/removefeed 1", "/ingest {base}/news/0"]


@pytest.fixture
def site() -> Iterator[Site]:
    with running_site() as s:
        yield s


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return new_db(tmp_path / "briefbot.db")


@pytest.fixture
def router(db_path: Path) -> Iterator[Router]:
    settings = Settings(
        db_path=db_path,
        admins=frozenset({BOT_ADMIN}),
        allow_hosts=LOCAL,
        fetch_delay=0.0,
        poll_minutes=0,
    )
    r = Router(settings)
    yield r
    r.close()


def console() -> ChatContext:
    return ChatContext(now=NOW, chat_type="console")


def private(user: int = USER) -> ChatContext:
    return ChatContext(now=NOW, chat_id=user, user_id=user, chat_type="private")


def group(user: int = USER, *, admin: bool = False, kind: str = "group") -> ChatContext:
    return ChatContext(now=NOW, chat_id=-100, user_id=user, chat_type=kind, is_admin=admin)


def ask(router: Router, text: str, ctx: ChatContext | None = None) -> Reply:
    reply = router.handle(text, ctx or console())
    assert reply is not None, text
    return reply


def text_of(reply: Reply) -> str:
    """The reply as the console shows it; the HTML must be valid for Telegram too."""
    for chunk in render(reply, "html"):
        check_html(chunk)
    return "\n".join(render(reply, "text"))


def html_of(reply: Reply) -> str:
    return "\n".join(render(reply, "html"))


def feed_urls(db_path: Path) -> list[str]:
    db = open_db(db_path)
    try:
        return [f.url for f in store_feeds.list_feeds(db)]
    finally:
        db.conn.close()


# ----------------------------------------------------------------------------- who may


@pytest.mark.parametrize("template", ADMIN_TEXTS)
@pytest.mark.parametrize(
    "ctx",
    [
        private(),
        group(),
        group(admin=True),  # the group's own admin: not a bot admin
        group(admin=True, kind="supergroup"),
        group(BOT_ADMIN + 1, admin=True, kind="channel"),
    ],
    ids=["private", "group", "group-admin", "supergroup-admin", "channel-admin"],
)
def test_refused_for_everyone_but_bot_admins(
    router: Router, site: Site, db_path: Path, template: str, ctx: ChatContext
) -> None:
    serve_wire(site)
    existing = follow(db_path, site.url("/followed.xml")).url  # feed #1, for /removefeed 1
    reply = ask(router, template.format(base=site.base), ctx)
    assert reply.kind == "error"
    assert reply.model["code"] == "admin_only"
    assert "Only the bot's admins" in text_of(reply)
    assert site.hits == []  # nothing fetched on a stranger's word
    assert feed_urls(db_path) == [existing]  # nothing added, nothing removed
    assert router.article_count() == 0


@pytest.mark.parametrize("command", ["/addfeed", "/removefeed", "/ingest"])
def test_bare_admin_command_refused_too(router: Router, command: str) -> None:
    reply = ask(router, command, private())
    assert reply.kind == "error" and reply.model["code"] == "admin_only"


@pytest.mark.parametrize(
    "ctx", [console(), private(BOT_ADMIN), group(BOT_ADMIN)], ids=["console", "private", "group"]
)
def test_allowed_in_the_console_and_for_bot_admins(
    router: Router, site: Site, db_path: Path, ctx: ChatContext
) -> None:
    url = serve_wire(site)
    added = ask(router, f"/addfeed {url}", ctx)
    assert added.kind == "feed_added", added.model
    assert added.model["feed"]["url"] == url
    db = open_db(db_path)
    try:
        feed = store_feeds.get_feed(db, url)
    finally:
        db.conn.close()
    assert feed is not None and feed.added_by == ctx.user_id
    assert ask(router, "/feeds", ctx).kind == "feeds"


def test_help_lists_admin_commands_to_admins_only(router: Router) -> None:
    admin_commands = ("/addfeed", "/feeds", "/removefeed", "/ingest")
    for ctx in (console(), private(BOT_ADMIN), group(BOT_ADMIN)):
        shown = text_of(ask(router, "/help", ctx))
        assert all(c in shown for c in admin_commands), ctx
    for ctx in (private(), group(admin=True)):
        shown = text_of(ask(router, "/help", ctx))
        assert not any(c in shown for c in admin_commands), ctx
        assert "/brief" in shown


# ----------------------------------------------------------------------------- /addfeed


def test_addfeed_a_feed(router: Router, site: Site, db_path: Path) -> None:
    url = serve_wire(site)
    reply = ask(router, f"/addfeed {url} Northern Wire Service")
    assert reply.kind == "feed_added"
    model = reply.model
    assert model["created"] and model["asked"] is None
    assert model["entries"] == 6
    assert model["feed"]["name"] == "Northern Wire Service"
    shown = text_of(reply)
    assert shown.startswith(f"Following #{model['feed']['id']} Northern Wire Service (6 entries")
    assert "BRIEFBOT_POLL_MINUTES=0" in shown  # polling is off in these settings
    db = open_db(db_path)
    try:
        feed = store_feeds.get_feed(db, url)
    finally:
        db.conn.close()
    assert feed is not None
    assert (feed.outlet, feed.title, feed.language) == (
        "Northern Wire Service",
        "Northern Wire",
        "en",
    )
    assert site.count("/wire/feed/") == 1
    # Adding only checks the feed: its articles wait for a poll.
    assert site.count("/wire/2026/03/11/bridge-inspection/") == 0

    again = ask(router, f"/addfeed {url}")
    assert again.kind == "feed_added" and not again.model["created"]
    assert text_of(again).startswith(f"Already following #{model['feed']['id']}")
    assert feed_urls(db_path) == [url]


def test_addfeed_a_page_that_links_its_feed(router: Router, site: Site, db_path: Path) -> None:
    feed_url = serve_wire(site)
    home = site.serve(
        "/wire/",
        "<!DOCTYPE html><html><head><title>Northern Wire</title>"
        '<link rel="stylesheet" href="/wire/style.css">'
        '<link rel="alternate" type="application/rss+xml" title="Northern Wire" href="feed/">'
        "</head><body><h1>Northern Wire</h1><p>Today's news.</p></body></html>",
    )
    reply = ask(router, f"/addfeed {home}")
    assert reply.kind == "feed_added", reply.model
    assert reply.model["feed"]["url"] == feed_url
    assert reply.model["asked"] == home
    assert "linked from the page you gave" in text_of(reply)
    assert feed_urls(db_path) == [feed_url]


def test_addfeed_a_page_without_a_feed(router: Router, site: Site, db_path: Path) -> None:
    url = site.serve("/about", page("About us"))
    reply = ask(router, f"/addfeed {url}")
    assert reply.kind == "error" and reply.model["code"] == "fetch"
    assert reply.model["message"] == "this is a web page, and it links to no RSS or Atom feed"
    assert text_of(reply).startswith(f"Could not follow {url}: this is a web page")
    assert feed_urls(db_path) == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "only http and https URLs"),
        ("ftp://ftp.example.com/feed.xml", "only http and https URLs"),
        ("http://169.254.169.254/latest/meta-data/", "refused: 169.254.169.254 is a link-local"),
        ("http://10.1.2.3/rss", "refused: 10.1.2.3 is a private address"),
        ("http://user:secret@127.0.0.1/feed", "URLs with a user name or password are not allowed"),
    ],
)
def test_addfeed_refuses_what_it_must_not_fetch(
    router: Router, site: Site, db_path: Path, url: str, reason: str
) -> None:
    reply = ask(router, f"/addfeed {url}")
    assert reply.kind == "error" and reply.model["code"] == "fetch"
    assert reason in reply.model["message"]
    shown = text_of(reply)
    assert shown.startswith("Could not follow") and reason in shown
    assert "Traceback" not in shown
    assert feed_urls(db_path) == []
    assert site.hits == []


def test_addfeed_http_error(router: Router, site: Site, db_path: Path) -> None:
    reply = ask(router, f"/addfeed {site.url('/nothing-here.xml')}")
    assert reply.kind == "error" and reply.model["message"] == "HTTP 404 Not Found"
    assert feed_urls(db_path) == []


# ----------------------------------------------------------------------------- /feeds


def poll_all(db_path: Path, when: dt.datetime) -> Any:
    async def go() -> Any:
        db = open_db(db_path)
        try:
            feeds = store_feeds.list_feeds(db)
        finally:
            db.conn.close()
        writer = ThreadWriter(db_path)
        policy = FetchPolicy(allow_hosts=LOCAL, timeout=5)
        try:
            return await Poller(
                writer, PollSettings(delay=0, policy=policy), clock=lambda: when
            ).poll(feeds)
        finally:
            await writer.close()

    return asyncio.run(go())


def test_feeds_shows_health(router: Router, site: Site) -> None:
    assert "No feeds followed" in text_of(ask(router, "/feeds"))
    good = site.serve("/good.xml", rss(item("Quay repaired", "@BASE@/p/1")), RSS)
    site.serve("/p/1", page("Quay repaired"))
    bad = site.serve("/bad.xml", rss(), RSS)
    for url in (good, bad):
        assert ask(router, f"/addfeed {url}").kind == "feed_added"
    site.serve("/bad.xml", "down", RSS, status=500)
    summary = poll_all(router.settings.db_path, NOW - dt.timedelta(hours=2))
    assert summary.errors == {bad: "HTTP 500 Internal Server Error"}

    reply = ask(router, "/feeds")
    assert reply.kind == "feeds"
    assert reply.model["counts"] == {"ok": 1, "failing": 1, "inactive": 0, "new": 0}
    shown = text_of(reply)
    assert "Feeds: 1 ok · 1 failing · 0 off" in shown
    assert "failing 1× since 2h ago: HTTP 500 Internal Server Error" in shown, shown
    assert "1 article, last success 2h ago" in shown, shown
    assert bad in shown and good in shown
    html = html_of(reply)
    assert "⚠️" in html and "HTTP 500 Internal Server Error" in html
    assert "failing 1× since" in html


# ----------------------------------------------------------------------------- /removefeed


def test_removefeed(router: Router, site: Site, db_path: Path) -> None:
    urls = {
        name: site.serve(f"/{n}.xml", rss(title=name), RSS)
        for n, name in enumerate(["Wire One", "Wire Two", "Harbour Agency"])
    }
    ids = {name: ask(router, f"/addfeed {url}").model["feed"]["id"] for name, url in urls.items()}

    by_id = ask(router, f"/removefeed {ids['Harbour Agency']}")
    assert by_id.kind == "feed_removed" and by_id.model["feed"]["name"] == "Harbour Agency"
    assert text_of(by_id).startswith(f"No longer following #{ids['Harbour Agency']} Harbour")

    ambiguous = ask(router, "/removefeed wire")
    assert ambiguous.model["feed"] is None
    assert [c["id"] for c in ambiguous.model["candidates"]] == [ids["Wire One"], ids["Wire Two"]]
    shown = text_of(ambiguous)
    assert 'Several feeds match "wire"' in shown
    assert f"/removefeed {ids['Wire Two']} — Wire Two" in shown

    unknown = ask(router, "/removefeed nonesuch")
    assert unknown.model["feed"] is None and unknown.model["candidates"] == []
    assert text_of(unknown).startswith('No feed matches "nonesuch"')

    by_name = ask(router, "/removefeed wire two")
    assert by_name.model["feed"]["id"] == ids["Wire Two"]
    assert feed_urls(db_path) == [urls["Wire One"]]


# ----------------------------------------------------------------------------- /ingest


def test_ingest_a_url(router: Router, site: Site) -> None:
    pages = [
        page(title, *paragraphs, date=f"2026-03-10T0{n}:30:00Z", site=outlet)
        for n, (outlet, (title, *paragraphs)) in enumerate(TRAIN_REPORTS.items())
    ]
    for n, html in enumerate(pages):
        site.serve(f"/news/{n}", html)
    first = ask(router, f"/ingest {site.url('/news/0')}", private(BOT_ADMIN))
    assert first.kind == "ingested" and first.model["added"]
    assert first.model["story_outlets"] == []
    assert "A story of its own so far." in text_of(first)
    ask(router, f"/ingest {site.url('/news/1')}", private(BOT_ADMIN))

    reply = ask(router, f"/ingest {site.url('/news/2')}", private(BOT_ADMIN))
    assert reply.kind == "ingested"
    model = reply.model
    assert model["added"] and model["outlet"] == "Border Post"
    assert model["title"] == "Beijing-Pyongyang international train back on Thursday"
    assert model["published_at"] == dt.datetime(2026, 3, 10, 2, 30, tzinfo=dt.UTC)
    assert model["story_outlets"] == ["Dandong Times", "Seoul Daily"]
    assert "beijing-pyongyang" in [s["key"] for s in model["situations"]]
    shown = text_of(reply)
    assert shown.startswith("Indexed: Beijing-Pyongyang international train back on Thursday")
    assert "Border Post, " in shown and "Mar" in shown
    assert "Joins a story of 3 reports, with Dandong Times, Seoul Daily." in shown
    assert "(/status beijing-pyongyang)" in shown

    again = ask(router, f"/ingest {site.url('/news/2')}", private(BOT_ADMIN))
    assert again.kind == "ingested" and not again.model["added"]
    assert text_of(again).startswith("Already indexed: Beijing-Pyongyang international train")
    assert router.article_count() == 3

    # A syndicated copy (same words, another url) is the article already indexed.
    copy = site.serve("/copy/2", pages[2])
    copied = ask(router, f"/ingest {copy}", private(BOT_ADMIN))
    assert copied.kind == "ingested" and not copied.model["added"]
    assert copied.model["url"] == site.url("/news/2")  # the original's
    assert text_of(copied).startswith("Already indexed: Beijing-Pyongyang international train")
    assert router.article_count() == 3

    missing = ask(router, f"/ingest {site.url('/news/404')}", private(BOT_ADMIN))
    assert missing.kind == "error" and missing.model["code"] == "fetch"
    assert "HTTP 404" in missing.model["message"]
    assert text_of(missing).startswith(f"Could not index {site.url('/news/404')}: HTTP 404")

    refused = ask(router, "/ingest http://[::1]:8080/admin", private(BOT_ADMIN))
    assert refused.kind == "error"
    assert refused.model["message"] == "refused: ::1 is a loopback address"
    assert router.article_count() == 3


def test_ingest_usage_and_bare_hosts(router: Router) -> None:
    assert ask(router, "/ingest").kind == "usage"
    assert ask(router, "/addfeed").kind == "usage"
    # A bare host gets https:// (and here: no such host; the reason says so, briefly).
    reply = ask(router, "/ingest nonexistent.invalid/news")
    assert reply.kind == "error" and reply.model["url"] == "https://nonexistent.invalid/news"
    assert reply.model["message"].startswith("cannot resolve host nonexistent.invalid")
