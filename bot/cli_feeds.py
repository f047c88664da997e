"""`briefbot feeds …` and `briefbot ingest URL`: following feeds and collecting from the shell.

    briefbot feeds list [--format text|json]
    briefbot feeds add URL [--outlet NAME] [--language LL]
    briefbot feeds remove ID|URL|NAME
    briefbot feeds poll [--due] [--quiet] [ID|URL ...]
    briefbot feeds import FILE.opml|feeds.toml
    briefbot feeds export [FILE]

A poll prints a progress bar on a terminal and ends with a summary: feeds polled, not modified,
new articles, duplicates, errors (exit 1 when every feed failed).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from pathlib import Path
from typing import IO, Any

from bot.config import Settings
from bot.errors import IngestError, UserError
from bot.models import Feed, FeedSpec, IngestSummary, PollSummary


def add_parsers(verbs: Any, common: argparse.ArgumentParser) -> None:
    """The `feeds` verb and its sub-commands."""
    feeds = verbs.add_parser("feeds", parents=[common], help="follow RSS/Atom feeds and poll them")
    sub = feeds.add_subparsers(dest="feeds_verb", metavar="ACTION", required=True)

    listing = sub.add_parser("list", parents=[common], help="followed feeds and their health")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.set_defaults(func=cmd_list)

    add = sub.add_parser("add", parents=[common], help="follow a feed (checked by fetching it)")
    add.add_argument("url", metavar="URL")
    add.add_argument("--outlet", metavar="NAME", help="cite its articles as this outlet")
    add.add_argument("--language", metavar="LL", help="ISO 639-1 language of the feed")
    add.set_defaults(func=cmd_add)

    remove = sub.add_parser("remove", parents=[common], help="stop following a feed")
    remove.add_argument("ref", metavar="ID|URL|NAME")
    remove.set_defaults(func=cmd_remove)

    poll = sub.add_parser("poll", parents=[common], help="poll feeds now and index new articles")
    poll.add_argument("refs", nargs="*", metavar="ID|URL", help="only these feeds")
    poll.add_argument("--due", action="store_true", help="only feeds whose next poll is due")
    poll.add_argument("--quiet", "-q", action="store_true", help="no progress bar, no report")
    poll.set_defaults(func=cmd_poll)

    imp = sub.add_parser("import", parents=[common], help="follow the feeds of an OPML file")
    imp.add_argument("file", metavar="FILE", type=Path, help="OPML, or a feeds.toml like seeds/")
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser("export", parents=[common], help="write the followed feeds as OPML")
    exp.add_argument("file", metavar="FILE", nargs="?", type=Path, help="default: stdout")
    exp.set_defaults(func=cmd_export)


# ----------------------------------------------------------------------------- commands


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from bot.admin import feed_model
    from bot.models import Reply
    from bot.render import render, render_json
    from bot.store import feeds as store_feeds
    from bot.store import open_db

    db = open_db(settings.db_path)
    try:
        now = dt.datetime.now(dt.UTC)
        model = {
            "feeds": [feed_model(f, now) for f in store_feeds.list_feeds(db)],
            "counts": store_feeds.feed_health_counts(db),
            "polling": settings.poll_minutes > 0,
            "interval_minutes": settings.poll_minutes,
        }
    finally:
        db.conn.close()
    reply = Reply("feeds", model)
    print(render_json(reply) if args.format == "json" else render(reply, "text")[0])
    return 0


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from bot.admin import AdminCommands
    from bot.models import ChatContext
    from bot.render import render
    from bot.store import open_db

    language = _language_option(args.language)
    db = open_db(settings.db_path)
    try:
        admin = AdminCommands(settings, lambda: db)
        text = " ".join([args.url, args.outlet or ""]).strip()
        # The language goes in with the feed: set afterwards (update_feed_meta) it only filled a
        # gap, so the feed's own <language> beat the one asked for here.
        reply = admin.addfeed(text, ChatContext(now=dt.datetime.now(dt.UTC)), language=language)
    finally:
        db.conn.close()
    failed = reply.kind != "feed_added"
    print(render(reply, "text")[0], file=sys.stderr if failed else sys.stdout)
    return 1 if failed else 0


def _language_option(value: str | None) -> str | None:
    """--language as stored: an ISO 639-1 code, lower case; UserError for anything else (a
    "Korean" or "en-US" stored as given would never match a language filter)."""
    if value is None:
        return None
    import pycountry

    code = value.strip().lower()
    if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
        raise UserError(f"--language must be an ISO 639-1 code such as 'en' or 'ko', not {value!r}")
    return code


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    from bot.admin import AdminCommands
    from bot.models import ChatContext
    from bot.render import render
    from bot.store import open_db

    db = open_db(settings.db_path)
    try:
        reply = AdminCommands(settings, lambda: db).removefeed(
            args.ref, ChatContext(now=dt.datetime.now(dt.UTC))
        )
    finally:
        db.conn.close()
    removed = reply.model.get("feed") is not None
    print(render(reply, "text")[0], file=sys.stdout if removed else sys.stderr)
    return 0 if removed else 1


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ingest import feeds as feed_docs
    from bot.store import feeds as store_feeds
    from bot.store import open_db

    try:
        if args.file.suffix.lower() == ".toml":
            specs = feed_docs.load_feed_specs(args.file)
        else:
            specs = feed_docs.read_opml(args.file.read_bytes())
    except OSError as exc:
        raise UserError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    except IngestError as exc:
        # load_feed_specs names the file itself; OPML errors do not.
        text = str(exc)
        raise UserError(text if str(args.file) in text else f"{args.file}: {text}") from None
    db = open_db(settings.db_path)
    added = 0
    try:
        now = dt.datetime.now(dt.UTC)
        for spec in specs:
            _, created = store_feeds.add_feed(db, spec, now=now)
            added += int(created)
    finally:
        db.conn.close()
    print(f"{added} feeds added, {len(specs) - added} already followed ({settings.db_path})")
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ingest import feeds as feed_docs
    from bot.store import feeds as store_feeds
    from bot.store import open_db

    db = open_db(settings.db_path)
    try:
        specs = [
            FeedSpec(url=f.url, outlet=f.outlet or f.title, language=f.language)
            for f in store_feeds.list_feeds(db)
        ]
    finally:
        db.conn.close()
    text = feed_docs.write_opml(specs)
    if args.file is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        args.file.write_text(text, encoding="utf-8")
        print(f"{len(specs)} feeds written to {args.file}", file=sys.stderr)
    return 0


def cmd_poll(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ingest.poll import Poller
    from bot.ingest.writer import ThreadWriter
    from bot.store import feeds as store_feeds
    from bot.store import open_db

    db = open_db(settings.db_path)
    try:
        feeds = _chosen(db, args, store_feeds)
    finally:
        db.conn.close()
    if not feeds:
        if not args.quiet:
            print("no feeds to poll (briefbot feeds add URL follows one)", file=sys.stderr)
        return 0

    async def go() -> PollSummary:
        writer = ThreadWriter(settings.db_path)
        bar = None if args.quiet else _bar(len(feeds), "poll", "feed")
        try:
            # quiet: the summary below says what the poll's log lines would.
            poller = Poller(writer, settings.poll_settings(), quiet=True)

            def tick(feed: Feed, outcome: Any) -> None:
                if bar is not None:
                    bar.set_postfix_str(feed.name[:30], refresh=False)
                    bar.update(1)

            return await poller.poll(feeds, progress=tick)
        finally:
            if bar is not None:
                bar.close()
            await writer.close()

    summary = asyncio.run(go())
    if not args.quiet or summary.errors:
        print_poll_summary(summary, sys.stdout)
    return 1 if summary.errors and len(summary.errors) == summary.feeds else 0


def _chosen(db: Any, args: argparse.Namespace, store_feeds: Any) -> list[Feed]:
    if args.refs:
        chosen: list[Feed] = []
        for ref in args.refs:
            feed = store_feeds.get_feed(db, ref)
            if feed is None:
                raise UserError(f"no feed {ref!r} (briefbot feeds list shows them)")
            chosen.append(feed)
        return chosen
    if args.due:
        return store_feeds.due_feeds(db, now=dt.datetime.now(dt.UTC))
    return store_feeds.list_feeds(db, active_only=True)


def print_poll_summary(summary: PollSummary, out: IO[str]) -> None:
    print(
        f"{_n(summary.feeds, 'feed')} polled: {summary.not_modified} not modified,"
        f" {_n(summary.new_articles, 'new article')}, {_n(summary.duplicates, 'duplicate')},"
        f" {_n(len(summary.errors), 'error')}",
        file=out,
    )
    for url, reason in summary.errors.items():
        print(f"  error {url}: {reason}", file=out)
    for feed in summary.deactivated:
        since = feed.failing_since.date() if feed.failing_since else "?"
        print(f"  switched off #{feed.id} {feed.name}: failing since {since}", file=out)
    for where, reason in list(summary.skipped.items())[:20]:
        print(f"  skipped {where}: {reason}", file=out)
    if len(summary.skipped) > 20:
        print(f"  … and {len(summary.skipped) - 20} more skipped", file=out)


# ----------------------------------------------------------------------------- ingest URL


def ingest_urls(
    urls: list[str], settings: Settings, *, quiet: bool
) -> tuple[IngestSummary, list[Any]]:
    """Fetch, extract and index article pages; (summary, what each became)."""
    from bot.ingest import poll
    from bot.ingest.fetch import Fetcher
    from bot.ingest.writer import ThreadWriter

    summary = IngestSummary()
    results: list[Any] = []

    async def go() -> None:
        s = settings.poll_settings()
        writer = ThreadWriter(settings.db_path)
        bar = None if quiet else _bar(len(urls), "ingest", "url")
        try:
            async with Fetcher(s.policy, per_host=s.per_host, delay=s.delay) as fetcher:
                for url in urls:
                    now = dt.datetime.now(dt.UTC)
                    try:
                        raw = await poll.fetch_article(fetcher, url, now=now)
                    except IngestError as exc:
                        summary.skipped[url] = str(exc)
                    else:
                        done = await writer.run(poll.ingest_article, raw, now)
                        if done.article_id is None:
                            # No article to describe: the skip line says why (a result line
                            # would read "— None, undated").
                            summary.skipped[url] = done.reason or "not indexed"
                        else:
                            results.append(done)
                            if done.added:
                                summary.added += 1
                                summary.ids.append(done.article_id)
                            else:
                                summary.duplicates += 1
                    if bar is not None:
                        bar.update(1)
        finally:
            if bar is not None:
                bar.close()
            await writer.close()

    asyncio.run(go())
    return summary, results


def describe_ingested(result: Any) -> str:
    """One line per indexed URL: title, outlet, date, story and situations."""
    when = result.published_at.date().isoformat() if result.published_at else "undated"
    if result.date_estimated:
        when += " (undated: the fetch time)"
    story = (
        f"joins a story with {', '.join(result.story_outlets[:5])}"
        if result.story_outlets
        else "a story of its own"
    )
    about = f"; about {', '.join(result.situations)}" if result.situations else ""
    verb = "indexed" if result.added else "already indexed"
    return f"  {verb}: {result.title} — {result.outlet}, {when}; {story}{about}"


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _bar(total: int, desc: str, unit: str) -> Any:
    if not sys.stderr.isatty() or total < 2:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False)
