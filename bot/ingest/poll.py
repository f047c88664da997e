"""Polling feeds and fetching single articles.

One feed's poll, in order:

1. fetch it (bot.ingest.fetch: SSRF-safe, size-capped, conditional GET with the stored ETag and
   Last-Modified); a 304 ends the poll there;
2. in the writer (bot.ingest.writer): parse it (bot.ingest.feeds), drop entries this feed has
   shown before (guid, then link, then title+text hash) and entries whose url is indexed already;
3. on the event loop: fetch the article page of each new entry that carries only a teaser,
   within the fetcher's per-host concurrency limit and politeness delay;
4. in the writer: extract each page's main text (trafilatura), build the articles, and index them
   through the same pipeline as files (bot.ingest.pipeline); remember the entries; record the
   feed's health.

A failure at any step is that feed's failure: recorded with its reason (bot.store.feeds backs the
feed off exponentially and deactivates it after days of failures), and the rest of the poll goes
on. Feeds are polled a few at a time; while one waits on the network another is analysed.

Where each article's text came from is stored with it: "feed" (the entry carried the article),
"page" (extracted from the article page), "summary" (only the teaser: the page failed).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlite_utils

from bot.errors import IngestError
from bot.ingest import feeds as feed_docs
from bot.ingest import pipeline, readers
from bot.ingest.fetch import Fetcher, FetchError, FetchPolicy, FetchResult
from bot.ingest.writer import Writer, deadline
from bot.models import Feed, FeedEntry, IngestSummary, PollSummary, RawArticle
from bot.store import articles as store_articles
from bot.store import feeds as store_feeds
from bot.store import situations as store_situations
from bot.store import stories as store_stories
from bot.store.db import open_db, write_transaction

log = logging.getLogger(__name__)

Progress = Callable[[Feed, "FeedOutcome"], None]

# An article page is a few hundred kB at most; a bigger one is not worth extracting.
PAGE_MAX_BYTES = 2_000_000
# Extracting one page may take this long (a link farm can take trafilatura many seconds).
PAGE_PARSE_SECONDS = 10


@dataclass(frozen=True)
class PollSettings:
    """How polling behaves; `bot.config.Settings.poll_settings()` builds it from the environment."""

    interval: dt.timedelta = store_feeds.DEFAULT_INTERVAL
    # A feed failing for this long is deactivated and the admins are told.
    max_failing: dt.timedelta = dt.timedelta(days=7)
    # Feeds fetched at once (each host still gets at most `per_host` connections).
    concurrency: int = 8
    per_host: int = 2
    # Seconds between two requests to one host: article pages come from the outlet's own site.
    delay: float = 1.0
    # Parsing a feed that takes longer than this fails the feed (the document is size-capped
    # already; this bounds a pathological one).
    parse_timeout: float = 30.0
    fetch_pages: bool = True
    # Article pages fetched per feed and poll (newest first); the rest wait for the next poll.
    max_pages: int = 30
    policy: FetchPolicy = field(default_factory=FetchPolicy)


@dataclass
class FeedOutcome:
    """What polling one feed did."""

    not_modified: bool = False
    new_articles: int = 0
    duplicates: int = 0
    error: str | None = None
    skipped: dict[str, str] = field(default_factory=dict)
    deactivated: Feed | None = None
    article_ids: list[int] = field(default_factory=list)


@dataclass
class _Fresh:
    """A parsed feed's new entries (from the writer back to the loop)."""

    title: str | None
    language: str | None
    entries: list[FeedEntry]
    duplicates: int
    problems: list[tuple[str, str]]
    link: str | None = None  # the site's home page, as the feed gives it


class FeedGone(IngestError):
    """The feed was removed (an admin's /removefeed, on the router's connection) while it was
    being polled: there is nothing left to store its entries or its health against."""

    # A default message, so that the exception unpickles (a child-process writer raises it).
    def __init__(self, message: str = "the feed was removed while it was being polled") -> None:
        super().__init__(message)


@dataclass
class _Page:
    """An article page's bytes, or why there are none."""

    body: bytes = b""
    url: str | None = None
    error: str | None = None
    charset: str | None = None
    # The host asked us to slow down (429/503) or a page budget ran out: the entry waits for the
    # next poll instead of being indexed from its teaser for good.
    deferred: bool = False


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ----------------------------------------------------------------------------- the poller


class Poller:
    """Polls feeds through one writer; one poll at a time."""

    def __init__(
        self,
        writer: Writer,
        settings: PollSettings | None = None,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        transport: Any = None,
        quiet: bool = False,
    ) -> None:
        self.writer = writer
        self.settings = settings or PollSettings()
        self.clock = clock
        self._transport = transport  # tests only: an httpx transport
        self._lock = asyncio.Lock()
        self._throttled: set[str] = set()  # hosts that answered 429/503 during this poll
        self._gates: dict[str, asyncio.Semaphore] = {}
        # The console polls behind its prompt: routine news goes to the debug log there.
        self._level = logging.DEBUG if quiet else logging.INFO

    async def poll_due(self, *, progress: Progress | None = None) -> PollSummary | None:
        """Poll the feeds that are due; None when a poll is already running."""
        if self._lock.locked():
            return None
        due = await self.writer.run(due_feeds, self.clock())
        return await self.poll(due, progress=progress)

    async def poll(self, feeds: list[Feed], *, progress: Progress | None = None) -> PollSummary:
        """Poll these feeds now (due or not); failures are recorded per feed, never raised."""
        async with self._lock:
            summary = PollSummary()
            if not feeds:
                return summary
            gate = asyncio.Semaphore(self.settings.concurrency)
            self._throttled = set()
            self._gates = defaultdict(lambda: asyncio.Semaphore(self.settings.per_host))
            async with self._fetcher() as fetcher:

                async def one(feed: Feed) -> None:
                    async with gate:
                        outcome = await self.poll_feed(feed, fetcher)
                    _add(summary, feed, outcome)
                    if progress is not None:
                        progress(feed, outcome)

                await asyncio.gather(*(one(feed) for feed in feeds))
            if summary.errors or summary.new_articles:
                log.log(
                    self._level,
                    "polled %d feeds: %d new articles, %d not modified, %d errors",
                    summary.feeds,
                    summary.new_articles,
                    summary.not_modified,
                    len(summary.errors),
                )
            return summary

    def _fetcher(self) -> Fetcher:
        s = self.settings
        return Fetcher(s.policy, per_host=s.per_host, delay=s.delay, transport=self._transport)

    async def poll_feed(self, feed: Feed, fetcher: Fetcher) -> FeedOutcome:
        """One feed, start to end; never raises for the feed's own faults."""
        s = self.settings
        try:
            return await self._poll_feed(feed, fetcher)
        except FeedGone as exc:
            return FeedOutcome(error=str(exc))  # nothing to record it against
        except IngestError as exc:
            reason = str(exc) or type(exc).__name__
            retry_after = getattr(exc, "retry_after", None)
        except Exception as exc:  # a bug must cost one feed, not the poll; the log has it all
            log.exception("polling %s failed", feed.url)
            reason = f"internal error: {type(exc).__name__}"
            retry_after = None
        log.log(self._level, "feed %s (%s) failed: %s", feed.id, feed.url, reason)
        try:
            now = self.clock()
            # A 429/503 that says when to come back is obeyed, if later than the backoff.
            not_before = now + dt.timedelta(seconds=retry_after) if retry_after else None
            recorded = await self.writer.run(
                _record_failure, feed.id, now, s.interval, reason, s.max_failing, not_before
            )
        except Exception:  # the store failing too (busy, say) must not end the other feeds' poll
            log.exception("recording the failure of feed %s failed", feed.id)
            recorded = None
        if recorded is None:
            return FeedOutcome(error=reason)
        updated, deactivated = recorded
        if deactivated:
            log.warning("feed %s (%s) deactivated: %s", feed.id, feed.url, reason)
        return FeedOutcome(error=reason, deactivated=updated if deactivated else None)

    async def _poll_feed(self, feed: Feed, fetcher: Fetcher) -> FeedOutcome:
        s = self.settings
        result = await fetcher.fetch(
            feed.url, kind="feed", etag=feed.etag, last_modified=feed.last_modified
        )
        if result.not_modified:
            await self.writer.run(
                _record_success, feed.id, self.clock(), s.interval, result, None, None, 0
            )
            return FeedOutcome(not_modified=True)
        fetched_at = self.clock()
        fresh: _Fresh = await self.writer.run(
            _parse_feed, feed.id, result, fetched_at, s.parse_timeout
        )
        pages: dict[str, _Page] = {}
        if s.fetch_pages:
            # Once per url: feeds list one article under several guids (one per category), and
            # each request is one more to the outlet's server (and one more politeness delay).
            # Newest first, at most `max_pages` a poll: a new feed of 500 teasers is read over a
            # few polls, not in one burst of requests (and bytes held) against one host.
            teasers = sorted(
                (e for e in fresh.entries if not e.full_text and e.link),
                key=lambda e: e.published_at,
                reverse=True,
            )
            wanted = list(dict.fromkeys(e.link for e in teasers if e.link))
            later = wanted[s.max_pages :]
            wanted = wanted[: s.max_pages]
            got = await asyncio.gather(
                *(_fetch_page(fetcher, url, self._throttled, self._gates) for url in wanted)
            )
            pages = dict(zip(wanted, got, strict=True))
            pages.update({url: _Page(error="page budget spent", deferred=True) for url in later})
        outcome: FeedOutcome = await self.writer.run(
            _store_feed, feed, fresh, pages, result, fetched_at, s.interval
        )
        outcome.duplicates += fresh.duplicates
        for label, reason in fresh.problems:
            outcome.skipped[f"{feed.url} {label}"] = reason
        return outcome


def _add(summary: PollSummary, feed: Feed, outcome: FeedOutcome) -> None:
    summary.feeds += 1
    summary.not_modified += int(outcome.not_modified)
    summary.new_articles += outcome.new_articles
    summary.duplicates += outcome.duplicates
    summary.skipped.update(outcome.skipped)
    summary.article_ids.extend(outcome.article_ids)
    if outcome.error is not None:
        summary.errors[feed.url] = outcome.error
    if outcome.deactivated is not None:
        summary.deactivated.append(outcome.deactivated)


async def _fetch_page(
    fetcher: Fetcher, url: str, throttled: set[str], gates: dict[str, asyncio.Semaphore]
) -> _Page:
    """One article page; a host that answered 429 or 503 gets no more requests this poll.

    `gates` holds the host's turn (as many at once as the fetcher allows per host) while the
    throttle is checked and the page fetched, so requests queued for a host see its 429."""
    host = urlsplit(url).hostname or ""
    async with gates[host]:
        if host in throttled:
            return _Page(error=f"{host} asked us to slow down", deferred=True)
        try:
            result = await fetcher.fetch(url, kind="page", max_bytes=PAGE_MAX_BYTES)
        except FetchError as exc:
            if exc.status in (429, 503):
                throttled.add(host)
                return _Page(error=str(exc), deferred=True)
            return _Page(error=str(exc))
    return _Page(body=result.body, url=result.url, charset=result.charset)


class BackgroundPolling:
    """Polls the due feeds about every minute on a daemon thread: the console's scheduler (the
    Telegram bot uses its JobQueue instead, bot.tg.feeds)."""

    def __init__(
        self, db_path: Path | str, writer: Writer, settings: PollSettings, *, every: float = 60.0
    ) -> None:
        self.db_path = db_path
        self.writer = writer
        self.settings = settings
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, name="briefbot-poll", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _main(self) -> None:
        asyncio.run(self._loop())

    async def _loop(self) -> None:
        poller = Poller(self.writer, self.settings, quiet=True)
        try:
            while not self._stop.is_set():
                try:
                    # Read here, not in the writer: a child-process writer starts only once
                    # some feed is due.
                    due = await asyncio.to_thread(_due_in, self.db_path, poller.clock())
                    if due:
                        await poller.poll(due)
                except Exception:  # a broken poll must not end the schedule
                    log.exception("scheduled poll failed")
                await asyncio.to_thread(self._stop.wait, self.every)
        finally:
            await self.writer.close()


def _due_in(db_path: Path | str, now: dt.datetime) -> list[Feed]:
    db = open_db(db_path)
    try:
        return due_feeds(db, now)
    finally:
        db.conn.close()


def seed_default_feeds(db: sqlite_utils.Database, path: Path, *, now: dt.datetime) -> int:
    """Follow the default feeds (seeds/feeds.toml) once per database; a broken file is logged,
    never fatal: the bot answers from what it has."""
    if not path.exists():
        return 0
    try:
        specs = feed_docs.load_feed_specs(path)
    except IngestError as exc:
        log.warning("default feeds not added: %s", exc)
        return 0
    return store_feeds.seed_default_feeds(db, specs, now=now)


# ----------------------------------------------------------------------------- in the writer
# Module-level functions: a child-process writer receives them by name.


def due_feeds(db: sqlite_utils.Database, now: dt.datetime) -> list[Feed]:
    """The active feeds whose next poll is due at `now` (positional, for any worker's run)."""
    return store_feeds.due_feeds(db, now=now)


def _record_failure(
    db: sqlite_utils.Database,
    feed_id: int,
    now: dt.datetime,
    interval: dt.timedelta,
    error: str,
    max_failing: dt.timedelta,
    not_before: dt.datetime | None = None,
) -> tuple[Feed, bool] | None:
    """None when the feed was removed meanwhile (record_failure would raise KeyError)."""
    if store_feeds.get_feed(db, feed_id) is None:
        return None
    return store_feeds.record_failure(
        db,
        feed_id,
        now=now,
        interval=interval,
        error=error,
        max_failing=max_failing,
        not_before=not_before,
    )


def _record_success(
    db: sqlite_utils.Database,
    feed_id: int,
    now: dt.datetime,
    interval: dt.timedelta,
    result: FetchResult,
    title: str | None,
    language: str | None,
    new_articles: int,
) -> Feed:
    _require_feed(db, feed_id)
    if title or language:
        store_feeds.update_feed_meta(db, feed_id, title=title, language=language)
    return store_feeds.record_success(
        db,
        feed_id,
        now=now,
        interval=interval,
        etag=result.etag,
        last_modified=result.last_modified,
        new_articles=new_articles,
    )


def _parse_feed(
    db: sqlite_utils.Database,
    feed_id: int,
    result: FetchResult,
    fetched_at: dt.datetime,
    parse_timeout: float = 30.0,
) -> _Fresh:
    """Parse, then keep only entries neither this feed nor any other source has given us.

    A document that took longer than `parse_timeout` to parse is refused. The size cap already
    bounds parsing (5 MB parse in about half a second); this catches a pathological document
    that gets past it. The time is measured here, in the writer, so waiting behind other
    feeds' work never counts against a feed.
    """
    _require_feed(db, feed_id)
    started = time.perf_counter()
    try:
        with deadline(parse_timeout):
            parsed = feed_docs.parse_feed(
                result.body,
                url=result.url,
                content_type=result.content_type,
                charset=result.charset,
                fetched_at=fetched_at,
            )
    except TimeoutError:
        raise feed_docs.FeedError(f"parsing took longer than {parse_timeout:g} s") from None
    took = time.perf_counter() - started
    if took > parse_timeout:  # a thread writer cannot interrupt the parse: refused after it
        raise feed_docs.FeedError(
            f"parsing took {took:.0f} s, more than the {parse_timeout:g} s allowed"
        )
    seen = store_feeds.known_entry_keys(db, feed_id, [e.key for e in parsed.entries])
    new = [e for e in parsed.entries if e.key not in seen]
    indexed = store_articles.known_urls(db, [e.link for e in new if e.link])
    if indexed:
        # Another feed (or a file) brought these already: remember them, fetch nothing.
        ids = store_articles.ids_by_url(db, indexed)
        store_feeds.remember_entries(
            db, feed_id, [(e.key, ids.get(e.link or "")) for e in new if e.link in indexed],
            now=fetched_at,
        )  # fmt: skip
    fresh = [e for e in new if e.link not in indexed]
    return _Fresh(
        title=parsed.title,
        language=parsed.language,
        entries=fresh,
        duplicates=len(parsed.entries) - len(fresh),
        problems=parsed.problems,
        link=parsed.link,
    )


def _store_feed(
    db: sqlite_utils.Database,
    feed: Feed,
    fresh: _Fresh,
    pages: dict[str, _Page],
    result: FetchResult,
    fetched_at: dt.datetime,
    interval: dt.timedelta,
) -> FeedOutcome:
    # Checked again before anything is written: the pages took a while, and entries cannot be
    # remembered for a feed that is gone (foreign key), nor should a removed feed's news be
    # indexed after the admin asked to stop.
    _require_feed(db, feed.id)
    outcome = FeedOutcome()
    raws: list[RawArticle] = []
    keys: list[tuple[str, RawArticle]] = []
    deferred = 0
    for entry in fresh.entries:
        page = pages.get(entry.link or "")
        if page is not None and page.deferred:
            deferred += 1  # not remembered: the next poll takes it up again
            continue
        raw = entry_article(entry, feed, fresh, _read_page(page), fetched_at=fetched_at)
        raws.append(raw)
        keys.append((entry.key, raw))
    summary = pipeline.ingest_records(db, raws, now=fetched_at) if raws else IngestSummary()
    ids = store_articles.ids_by_url(db, {r.url for r in raws if r.url})
    try:
        with write_transaction(db):
            _require_feed(db, feed.id)
            store_feeds.remember_entries(
                db, feed.id, [(key, ids.get(raw.url or "")) for key, raw in keys], now=fetched_at
            )
            _record_success(
                db, feed.id, fetched_at, interval, result, fresh.title, fresh.language,
                summary.added,
            )  # fmt: skip
    except sqlite3.IntegrityError:
        # Removed between the check and the write (by /removefeed on another connection): its
        # articles stay indexed, as a removal promises; its entries need no remembering.
        raise FeedGone() from None
    if deferred:
        log.debug("feed %s: %d entries wait for the next poll", feed.id, deferred)
    outcome.new_articles = summary.added
    outcome.duplicates = summary.duplicates
    outcome.skipped.update(summary.skipped)
    outcome.article_ids = list(summary.ids)
    return outcome


def _require_feed(db: sqlite_utils.Database, feed_id: int) -> None:
    if store_feeds.get_feed(db, feed_id) is None:
        raise FeedGone()


def _read_page(page: _Page | None) -> RawArticle | str | None:
    """The page's article, the reason it has none, or None when no page was fetched."""
    if page is None:
        return None
    if page.error is not None:
        return page.error
    try:
        # Undated pages are fine: the entry has a date (or the fetch time stands in).
        with deadline(PAGE_PARSE_SECONDS):
            return readers.read_html_bytes(
                page.body, page.url, require_date=False, charset=page.charset
            )
    except TimeoutError:
        return f"extracting the page took longer than {PAGE_PARSE_SECONDS} s"
    except IngestError as exc:
        return str(exc)
    except Exception as exc:  # extraction of a hostile page must not lose the entry
        log.warning("extracting %s failed: %s", page.url, exc)
        return f"extraction failed: {type(exc).__name__}"


def entry_article(
    entry: FeedEntry,
    feed: Feed,
    fresh: _Fresh | None,
    page: RawArticle | str | None,
    *,
    fetched_at: dt.datetime,
) -> RawArticle:
    """A feed entry as an article: the page's text when it was fetched and says more."""
    # One feed, one outlet name, the same at every poll: an organisation must never count as
    # two independent outlets because two of its feeds are titled differently.
    outlet = feed.outlet or outlet_name(
        (fresh.title if fresh else None) or feed.title, (fresh.link if fresh else None) or feed.url
    )
    # parse_feed fills entry.language from the document's <language> when the entry has none of
    # its own, and that must not beat the language the admin gave for the feed (feed.language):
    # CMSs declare "en-US" on every feed, which is why admins give one. Only an entry's own
    # language (xml:lang, dc:language differing from the document's) is more specific.
    document = fresh.language if fresh else None
    own = entry.language if entry.language != document else None
    language = own or feed.language or document or entry.language
    raw = RawArticle(
        title=entry.title,
        body=entry.text,
        published_at=entry.published_at,
        url=entry.link,
        outlet=outlet or readers.outlet_from_url(entry.link or feed.url),
        language=language,
        source_path=entry.link or f"{feed.url} {entry.key}",
        text_source="feed" if entry.full_text else "summary",
        date_estimated=entry.date_estimated,
    )
    if isinstance(page, RawArticle) and site_of(page.source_path) != site_of(entry.link):
        # Redirected off the outlet's site: a consent wall, a login page, a paywall's portal.
        log.debug("page %s ended on another site (%s); not used", entry.link, page.source_path)
        page = None
    written = script_language(f"{raw.title} {raw.body[:400]}")
    if written and raw.language in (None, "en"):
        # A CMS declares "en-US" on every feed; Hangul, kana or Han text says otherwise.
        raw = replace(raw, language=written)
    if isinstance(page, RawArticle):
        if len(page.body) > len(entry.text):
            raw = replace(raw, body=page.body, text_source="page")
        if entry.date_estimated and page.published_at is not None:
            raw = replace(raw, published_at=page.published_at, date_estimated=False)
        if raw.language is None and page.language:
            raw = replace(raw, language=page.language)
    elif isinstance(page, str):
        log.debug("page %s not used: %s", entry.link, page)
    return raw


def script_language(text: str) -> str | None:
    """'ko', 'ja' or 'zh' when most letters of `text` are Hangul, kana or Han; else None."""
    counts = {"hangul": 0, "kana": 0, "han": 0, "other": 0}
    for ch in text:
        if not ch.isalpha():
            continue
        code = ord(ch)
        if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            counts["hangul"] += 1
        elif 0x3040 <= code <= 0x30FF:
            counts["kana"] += 1
        elif 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
            counts["han"] += 1
        else:
            counts["other"] += 1
    letters = sum(counts.values())
    if not letters or counts["other"] > letters / 2:
        return None
    if counts["hangul"] >= counts["kana"] and counts["hangul"] >= counts["han"] / 2:
        return "ko" if counts["hangul"] else ("ja" if counts["kana"] else "zh")
    return "ja" if counts["kana"] else "zh"


def site_of(url: str | None) -> str | None:
    """The registrable part of a url's host, near enough: 'news.bbc.co.uk' -> 'bbc.co.uk',
    'www.theguardian.com' -> 'theguardian.com', 'en.yna.co.kr' -> 'yna.co.kr'."""
    host = (urlsplit(url).hostname or "") if url else ""
    labels = host.removeprefix("www.").split(".")
    if len(labels) < 2 or host.replace(".", "").isdigit() or ":" in host:
        return host or None  # a single label or an address
    # A two-letter country code under a short second level (co.uk, co.kr, com.cn, or.jp).
    keep = 3 if len(labels[-1]) == 2 and len(labels[-2]) <= 3 and len(labels) >= 3 else 2
    return ".".join(labels[-keep:])


def outlet_name(title: str | None, site_url: str | None) -> str | None:
    """The outlet a feed speaks for: the part of its title that names the site ("The Guardian"
    of "North Korea | The Guardian", "BBC News" of "BBC News - Asia"), else the site itself.

    A part names the site when its letters contain the site's name ("theguardian") or the
    site's name is its initials ("yna": Yonhap News Agency)."""
    site = site_of(site_url)
    parts = [p.strip() for p in re.split(r"\s+[|–—:-]\s+|\s*[|–—]\s*|:\s+", title or "")]
    parts = [p for p in parts if p]
    if not site or site.replace(".", "").isdigit():
        return parts[0] if parts else site
    label = site.split(".")[0]
    for part in parts:
        letters = re.sub(r"[^a-z0-9]", "", part.lower())
        initials = "".join(w[0] for w in re.findall(r"[A-Za-z0-9]+", part)).lower()
        if letters and (label in letters or letters in label or initials == label):
            return part
    # A title of one part names the outlet ("Korea JoongAng Daily" at joins.com); a title of
    # several that never names the site is a section ("Top stories - World"): the site then.
    return parts[0] if len(parts) == 1 else site


# ----------------------------------------------------------------------------- single urls


@dataclass
class Ingested:
    """What `/ingest URL` indexed (or found indexed already), for the reply."""

    url: str
    added: bool
    article_id: int | None = None
    title: str | None = None
    outlet: str | None = None
    published_at: dt.datetime | None = None
    date_estimated: bool = False
    # Other outlets' reports in the story it joined, and the situations it is about.
    story_outlets: list[str] = field(default_factory=list)
    story_size: int = 0
    situations: list[str] = field(default_factory=list)
    reason: str | None = None  # why nothing was added


async def fetch_article(fetcher: Fetcher, url: str, *, now: dt.datetime) -> RawArticle:
    """Fetch one article page and extract it; FetchError/IngestError say why not."""
    url = readers.clean_url(url) or url
    result = await fetcher.fetch(url, kind="page")
    try:
        raw = await asyncio.to_thread(
            readers.read_html_bytes, result.body, result.url, require_date=False
        )
    except IngestError:
        raise
    except Exception as exc:  # a hostile page must give a reason, never a traceback
        log.warning("extracting %s failed: %s", result.url, exc)
        raise IngestError(f"could not extract the article: {type(exc).__name__}") from None
    # The page's canonical url names the article unless it points off the site or at a home
    # page (some sites put "/" in every page's canonical link).
    canonical = raw.url
    if (
        not canonical
        or site_of(canonical) != site_of(result.url)
        or urlsplit(canonical).path in ("", "/")
    ):
        canonical = result.url
    raw = replace(raw, url=canonical, text_source="page")
    if raw.published_at is None:
        raw = replace(raw, published_at=now, date_estimated=True)
    return raw


def ingest_article(db: sqlite_utils.Database, raw: RawArticle, now: dt.datetime) -> Ingested:
    """Index one fetched article (through the pipeline) and describe where it landed."""
    summary = pipeline.ingest_records(db, [raw], now=now)
    if summary.ids:
        return describe(db, summary.ids[0], added=True, url=raw.url or "")
    known = store_articles.ids_by_url(db, {raw.url}) if raw.url else {}
    if raw.url in known:
        return describe(db, known[raw.url], added=False, url=raw.url or "")
    if summary.duplicates:
        # The same words under another url (a syndicated copy, a url with tracking parameters):
        # the pipeline matched it by content hash; describe the article it matched.
        same = _id_by_text(db, raw)
        if same is not None:
            return describe(db, same, added=False, url=raw.url or "")
    reason = next(iter(summary.skipped.values()), "already indexed")
    return Ingested(url=raw.url or "", added=False, title=raw.title, reason=reason)


def _id_by_text(db: sqlite_utils.Database, raw: RawArticle) -> int | None:
    """The stored article with this one's content hash, computed as the pipeline does."""
    try:
        digest = pipeline._normalise(raw)[2]  # the very hash the pipeline stored
    except IngestError:
        return None
    row = db.execute("SELECT id FROM articles WHERE content_hash = ? LIMIT 1", [digest]).fetchone()
    return int(row[0]) if row else None


def describe(db: sqlite_utils.Database, article_id: int, *, added: bool, url: str) -> Ingested:
    """`url` is the one asked for; the stored article's own url wins when it has one (a copy
    matched by its text was stored under the original's url)."""
    ref = store_articles.article_refs(db, [article_id])[article_id]
    size, outlets = store_stories.companions(db, article_id)
    return Ingested(
        url=ref.url or url,
        added=added,
        article_id=article_id,
        title=ref.title,
        outlet=ref.outlet,
        published_at=ref.published_at,
        date_estimated=store_articles.date_estimated(db, article_id),
        story_outlets=outlets,
        story_size=size,
        situations=store_situations.of_article(db, article_id),
    )


# ----------------------------------------------------------------------------- adding feeds


@dataclass
class Discovered:
    """A feed url checked by fetching it: what it is called and how many entries it has."""

    url: str
    title: str | None
    language: str | None
    entries: int
    site: str | None = None  # the site's home page, as the feed gives it
    via_page: bool = False  # found through the <link rel="alternate"> of the page given


async def check_feed(fetcher: Fetcher, url: str, *, now: dt.datetime) -> Discovered:
    """Fetch `url` and make sure it is a feed; a web page is searched for its feed link.

    Raises FetchError/FeedError with the reason it cannot be followed.
    """
    result = await fetcher.fetch(url, kind="feed")
    via_page = feed_docs.looks_like_html(result.body, result.content_type)
    if via_page:
        found = feed_docs.discover_feeds(result.body, result.url)
        if not found:
            raise feed_docs.FeedError("this is a web page, and it links to no RSS or Atom feed")
        result = await fetcher.fetch(found[0], kind="feed")
    parsed = await asyncio.to_thread(
        feed_docs.parse_feed,
        result.body,
        url=result.url,
        content_type=result.content_type,
        charset=result.charset,
        fetched_at=now,
    )
    return Discovered(
        result.url,
        parsed.title,
        parsed.language,
        len(parsed.entries),
        site=parsed.link,
        via_page=via_page,
    )
