"""The `briefbot` command line: run the bot, ingest files, and ask any command from the shell.

Exit status: 0 success; 1 the work failed (nothing could be ingested, the database stayed busy);
2 bad usage, configuration or request (argparse errors, ConfigError, UserError, an unknown topic
or name given to `resolve`).

`--as-of` takes YYYY-MM-DD or an ISO date-time. A bare date means the end of that day in UTC
(23:59:59), so "as of 2026-03-11" counts everything published on the 11th. A date-time without a
zone is taken as UTC.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot import __version__, cli_feeds
from bot.config import Settings
from bot.errors import ConfigError, StoreBusy, UserError
from bot.logs import setup_logging
from bot.models import ChatContext, IngestSummary, Reply

log = logging.getLogger("briefbot")

QUERY_VERBS = ("search", "brief", "status", "timeline")
LIST_VERBS = ("topics", "sources")
FAILED_KINDS = frozenset({"error", "notfound", "usage", "hint"})


def parse_as_of(text: str) -> dt.datetime:
    """YYYY-MM-DD (the end of that day, UTC) or an ISO date-time (UTC when no zone is given)."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.UTC)
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected YYYY-MM-DD or an ISO date-time such as 2026-03-11T08:00Z, got {text!r}"
        ) from None
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def build_parser() -> argparse.ArgumentParser:
    """The argparse tree: one sub-command per verb, each taking --db."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="database file (overrides BRIEFBOT_DB; default ./data/briefbot.db)",
    )
    formatted = argparse.ArgumentParser(add_help=False)
    formatted.add_argument(
        "--format",
        choices=("text", "html", "json"),
        default="text",
        help="text for reading, html as Telegram gets it, json for the reply model",
    )
    parser = argparse.ArgumentParser(
        prog="briefbot", description="News briefs and situation status from indexed articles."
    )
    parser.add_argument("--version", action="version", version=f"briefbot {__version__}")
    parser.add_argument("--db", metavar="FILE", default=None, help=argparse.SUPPRESS)
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

    run = verbs.add_parser(
        "run", parents=[common], help="run the bot: Telegram with a token, else a local console"
    )
    run.set_defaults(func=cmd_run)

    ingest = verbs.add_parser(
        "ingest", parents=[common], help="index article files, directories or article URLs"
    )
    ingest.add_argument("paths", nargs="+", metavar="PATH|URL")
    ingest.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="no progress bar and no report unless something failed",
    )
    ingest.set_defaults(func=cmd_ingest)

    helps = {
        "search": "full-text search",
        "brief": "top stories on a topic ([period] after it)",
        "status": "current state of a situation",
        "timeline": "dated changes of a situation",
    }
    for verb in QUERY_VERBS:
        sub = verbs.add_parser(verb, parents=[common, formatted], help=helps[verb])
        sub.add_argument("query", nargs="+", metavar="QUERY")
        sub.add_argument(
            "--as-of",
            type=parse_as_of,
            metavar="DATE",
            default=None,
            help="answer as of this date (YYYY-MM-DD = end of that day, UTC)",
        )
        sub.set_defaults(func=cmd_query)
    for verb, text in (("topics", "topics and situations"), ("sources", "indexed outlets")):
        sub = verbs.add_parser(verb, parents=[common, formatted], help=text)
        # /topics counts the last 7 days' coverage: --as-of says which 7 days.
        sub.add_argument(
            "--as-of",
            type=parse_as_of,
            metavar="DATE",
            default=None,
            help="list as of this date (YYYY-MM-DD = end of that day, UTC)",
        )
        sub.set_defaults(func=cmd_query, query=[])

    resolve = verbs.add_parser(
        "resolve",
        parents=[common],  # accepted like every verb's, though names resolve without the store
        help="show what a name resolves to: entity, aliases and the full-text query",
    )
    resolve.add_argument("query", nargs="+", metavar="NAME")
    resolve.add_argument("--format", choices=("text", "json"), default="text")
    resolve.set_defaults(func=cmd_resolve)

    cli_feeds.add_parsers(verbs, common)

    summarize = verbs.add_parser(
        "summarize",
        aliases=["summarise"],
        parents=[common],  # accepted like every verb's; summarising reads no database
        help="print the K best sentences of an article file, in text order",
    )
    summarize.add_argument(
        "file",
        metavar="FILE",
        help="plain text (optionally with Title:/Date: headers), the seed format, HTML or"
        " JSON; - reads standard input",
    )
    summarize.add_argument(
        "--sentences",
        "-k",
        type=_positive_int,
        default=3,
        metavar="K",
        help="how many sentences (default 3)",
    )
    summarize.set_defaults(func=cmd_summarize)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `briefbot` console script."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.verb in (*QUERY_VERBS, "resolve") and not _any_long_option(extra):
        # argparse stops a QUERY at the first option: `brief dprk --as-of 2026-03-13 3d` left
        # "3d" over, and `search train -tourists` took "-tourists" for an option. Both are words.
        args.query = [*args.query, *extra]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        settings = Settings.from_env().with_db(getattr(args, "db", None))
        setup_logging(settings.log_level, settings.token)
        return int(args.func(args, settings))
    except (ConfigError, UserError) as exc:
        print(f"briefbot: {exc}", file=sys.stderr)
        return 2
    except StoreBusy:
        print("briefbot: the database is busy; try again in a moment", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `briefbot ... | head`: the reader left. Point stdout at devnull so the interpreter's
        # final flush does not complain a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Telegram when TELEGRAM_BOT_TOKEN is set, the console otherwise; both poll the feeds."""
    from bot.ingest.poll import seed_default_feeds
    from bot.store import open_db

    # Create or upgrade the database now: a wrong --db/BRIEFBOT_DB stops the bot here, with one
    # clear line, instead of turning every later message into an apology.
    settings.poll_settings()  # a malformed BRIEFBOT_ALLOW_HOSTS stops the bot here, clearly
    db = open_db(settings.db_path)
    try:
        seed_default_feeds(db, settings.seeds_dir / "feeds.toml", now=dt.datetime.now(dt.UTC))
    finally:
        db.conn.close()
    if settings.token:
        # Imported here so the console path never loads python-telegram-bot.
        from bot.tg import run_polling

        run_polling(settings)
        return 0
    from bot.commands import Router
    from bot.console import run_console
    from bot.ingest.poll import BackgroundPolling
    from bot.ingest.writer import ProcessWriter

    # On a terminal the console's banner says it all; elsewhere (a detached container whose
    # stdin is empty) this line explains why the bot answers nobody and exits.
    level = logging.DEBUG if sys.stdin.isatty() else logging.INFO
    log.log(level, "TELEGRAM_BOT_TOKEN is not set: starting the local console")
    polling = None
    if settings.poll_minutes > 0:
        # A child process analyses what is polled: in a thread it would take the interpreter
        # from the console's replies (bench/poll_latency.py: p95 9x slower during a poll).
        writer = ProcessWriter(settings.db_path)
        polling = BackgroundPolling(settings.db_path, writer, settings.poll_settings())
        polling.start()
    try:
        return run_console(Router(settings), stdin=sys.stdin, stdout=sys.stdout)
    finally:
        if polling is not None:
            polling.stop()


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Index files and article URLs; report what was added, what was a duplicate, what was
    skipped and why.

    Skipped inputs do not fail the run (exit 0); it fails (exit 1) only when inputs were skipped
    and nothing at all could be read, i.e. no article was added or recognised as a duplicate.
    """
    from bot.ingest import ingest_paths
    from bot.store import open_db

    # Anything shaped scheme://… is a URL (the fetcher refuses what is not http or https).
    urls = [p for p in args.paths if re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", p)]
    paths = [Path(p) for p in args.paths if p not in urls]
    summary = IngestSummary()
    if paths:
        db = open_db(settings.db_path)
        try:
            summary = ingest_paths(db, paths, now=dt.datetime.now(dt.UTC), progress=not args.quiet)
        finally:
            db.conn.close()
    results: list[Any] = []
    if urls:
        fetched, results = cli_feeds.ingest_urls(urls, settings, quiet=args.quiet)
        summary.added += fetched.added
        summary.duplicates += fetched.duplicates
        summary.skipped.update(fetched.skipped)
    failed = bool(summary.skipped) and summary.added + summary.duplicates == 0
    if args.quiet and not failed:
        return 0
    out = sys.stderr if failed else sys.stdout
    print(
        f"{summary.added} added, {summary.duplicates} duplicate"
        f"{'' if summary.duplicates == 1 else 's'}, {len(summary.skipped)} skipped"
        f" ({settings.db_path})",
        file=out,
    )
    for result in results:
        print(cli_feeds.describe_ingested(result), file=out)
    for where, reason in summary.skipped.items():
        print(f"  skipped {where}: {reason}", file=out)
    return 1 if failed else 0


def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    """search/brief/status/timeline/topics/sources through the router, printed in a format."""
    from bot.commands import Router
    from bot.render import render, render_json

    if not settings.db_path.exists():
        # Asking would create an empty database there: a mistyped --db would answer "no match".
        raise UserError(
            f"there is no database at {settings.db_path}; index articles into it first:"
            f" briefbot ingest --db {settings.db_path} PATH"
        )
    router = Router(settings)
    ctx = ChatContext(now=args.as_of or dt.datetime.now(dt.UTC), chat_type="console")
    text = f"/{args.verb} {' '.join(args.query)}".strip()
    try:
        reply = router.handle(text, ctx)
    finally:
        router.close()
    assert reply is not None  # always a command, so always an answer
    if reply.kind in FAILED_KINDS or reply.kind == "busy":
        print("\n".join(render(reply, "text")), file=sys.stderr)
        return 1 if reply.kind == "busy" else 2
    print(_format(reply, args.format, render, render_json))
    return 0


def cmd_resolve(args: argparse.Namespace, settings: Settings) -> int:
    """Print the query plan for a name; exit 2 with "did you mean" for an unknown one."""
    import json

    from bot.commands import Router
    from bot.errors import NotFound

    text = " ".join(args.query)
    catalog = Router(settings).catalog  # the catalog the bot itself would use
    try:
        plan = resolve_plan(catalog, text)
    except NotFound as exc:
        suggestions = list(exc.suggestions)[:3]
        if args.format == "json":
            out = {"input": text, "error": str(exc), "suggestions": suggestions}
            print(json.dumps(out, ensure_ascii=False, indent=2))
        else:
            print(f"briefbot: {exc}", file=sys.stderr)
            if suggestions:
                print(f"Did you mean: {', '.join(suggestions)}?", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(plan, ensure_ascii=False, indent=2))
        return 0
    print(f"{plan['kind']}: {plan['title']} ({plan['key']})")
    if plan["kind"] == "entity":
        print(f"  brief as: /brief {plan['topic']}")
        print(f"  aliases:  {', '.join(plan['aliases'])}")
    elif plan["kind"] in ("pair", "situation"):
        for n, side in enumerate(plan["entities"], start=1):
            print(f"  side {n}:   {', '.join(side)}")
        if plan["facets"]:
            print(f"  facets:   {', '.join(plan['facets'])}")
    else:
        print(f"  aliases:  {', '.join(plan['aliases'])}")
        if plan["keywords"]:
            print(f"  keywords: {', '.join(plan['keywords'])}")
        if plan["exclude"]:
            print(f"  exclude:  {', '.join(plan['exclude'])}")
    print(f"  fts:      {plan['fts']}")
    return 0


def cmd_summarize(args: argparse.Namespace, settings: Settings) -> int:
    """The K best sentences of an article, one a line, in text order; exit 2 when unreadable.

    A file of several articles (JSON) gets one block each, separated by a blank line.
    """
    from bot.briefing.summarize import summarize
    from bot.errors import IngestError

    try:
        articles = read_for_summary(args.file)
    except IngestError as exc:
        where = "standard input" if args.file == "-" else args.file
        print(f"briefbot: {where}: {exc}", file=sys.stderr)
        return 2
    blocks = []
    for title, body in articles:
        sentences = summarize(body, title=title, k=args.sentences)
        if sentences:
            blocks.append("\n".join(sentences))
    if not blocks:
        print(f"briefbot: {args.file}: no sentences to summarise", file=sys.stderr)
        return 2
    print("\n\n".join(blocks))
    return 0


# Header lines a plain text file may open with (the readers' keys): not part of the story.
_TEXT_HEADER = re.compile(
    r"^(title|headline|date|published|published_at|source|outlet|url|link|author|by|byline|"
    r"language|lang|tags|section)\s*:\s*(.*)$",
    re.IGNORECASE,
)


def read_for_summary(name: str) -> list[tuple[str | None, str]]:
    """(headline or None, body) for each article in a file (`-`: standard input).

    Uses the ingest readers, but a summary needs no publication date: a plain text without
    one is summarised whole (header lines such as `Title:` taken off first). Raises
    IngestError for what cannot be read: missing, a directory, empty, binary, undecodable.
    """
    from bot.errors import IngestError
    from bot.ingest import readers

    if name == "-":
        data, path = sys.stdin.buffer.read(), Path("stdin.txt")
    else:
        path = Path(name)
        if path.is_dir():
            raise IngestError("is a directory, not an article file")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise IngestError(f"cannot read it: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    if suffix in readers.HTML_EXTENSIONS:
        if not data.strip():
            raise IngestError("empty file")
        html = readers.decode_html(data)
        try:
            article = readers.parse_html(html, str(path))
        except IngestError:
            # Undated pages are fine to summarise: the text alone, extracted plainly.
            return [(None, readers.html_to_text(html))]
        return [(article.title, article.body)]
    if suffix in readers.JSON_EXTENSIONS | readers.JSONL_EXTENSIONS:
        return [(a.title, a.body) for a in readers.read_file(path)]
    text = readers.decode_bytes(data)  # IngestError: empty, binary, undecodable
    if readers.is_seed_format(text):
        # The seed's first line is the lead itself, not a headline: no title.
        return [(None, readers.parse_seed_text(text, str(path)).body)]
    try:
        article = readers.parse_text(text, str(path))
    except IngestError:
        return [_strip_text_header(text)]
    return [(article.title, article.body)]


def _strip_text_header(text: str) -> tuple[str | None, str]:
    lines = text.strip().split("\n")
    title = None
    while lines and (m := _TEXT_HEADER.match(lines[0].strip())):
        if m.group(1).lower() in ("title", "headline") and m.group(2).strip():
            title = m.group(2).strip()
        lines.pop(0)
    body = "\n".join(lines).strip()
    if not body:
        from bot.errors import IngestError

        raise IngestError("no article text")
    return title, body


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def resolve_plan(catalog: Any, text: str) -> dict[str, Any]:
    """What `text` resolves to, as plain data; raises NotFound with suggestions.

    kind "entity": one place or group named as a whole ("n. korea"); "situation": a declared
    situation; "pair": two places ("china-us"); "topic": a declared topic or a place narrowed by
    other words ("pyongyang marathon"). `fts` is the MATCH /brief uses (/status for a pair or a
    situation, whose `topic_fts` is what /brief would search).
    """
    from bot.briefing.topics import situation_match, topic_match
    from bot.errors import NotFound

    topic = catalog.resolve_topic(text)  # raises NotFound for unknown names, with suggestions
    entity = catalog.lookup(text)
    if entity is not None:
        return {
            "input": text,
            "kind": "entity",
            "key": entity.key,
            "title": entity.name,
            "entity_kind": entity.kind,
            "topic": topic.key,
            "aliases": catalog.search_aliases(entity),
            "fts": topic_match(topic),
        }
    try:
        situation = catalog.resolve_situation(text)
    except NotFound:
        situation = None  # a declared topic ("dprk-missiles") need not read as a situation
    declared = {s.key for s in catalog.situations()}
    if situation is not None and (situation.key in declared or len(situation.entities) > 1):
        return {
            "input": text,
            "kind": "situation" if situation.key in declared else "pair",
            "key": situation.key,
            "title": situation.title,
            "entities": situation.entities,
            "facets": situation.facets,
            "fts": situation_match(situation),
            "topic_fts": topic_match(topic),
        }
    return {
        "input": text,
        "kind": "topic",
        "key": topic.key,
        "title": topic.title,
        "aliases": topic.aliases,
        "keywords": topic.keywords,
        "exclude": topic.exclude,
        "fts": topic_match(topic),
    }


def _any_long_option(words: list[str]) -> bool:
    return any(w.startswith("--") and len(w) > 2 for w in words)


def _format(reply: Reply, fmt: str, render: Any, render_json: Any) -> str:
    if fmt == "json":
        return str(render_json(reply))
    # Telegram HTML may be several messages: a blank line between them.
    return "\n\n".join(render(reply, fmt))
