"""The ingest pipeline: inputs -> RawArticle -> normalise -> dedup -> analyse -> store, in batches.

Synchronous on purpose: ingest is heavy, so front ends run it in a worker thread with the one
writer connection, and replies keep reading through WAL meanwhile.

Order of work per article, cheapest first, so duplicates cost almost nothing:
1. normalise title and body and hash them (cheap);
2. drop it if its url or hash was already seen in this run;
3. per batch: drop what the database already holds (one query each for urls and hashes);
4. only then split sentences, extract events and tag entities (the expensive part);
5. write the batch through `articles.add_articles`: one transaction per batch, so an
   interrupted run leaves whole articles only, and re-running it picks up where it stopped.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import sqlite_utils

from bot.analysis import events as analysis_events
from bot.analysis import sentences as analysis_sentences
from bot.analysis import text as analysis_text
from bot.analysis.entities import EntityTagger
from bot.errors import IngestError
from bot.ingest import readers
from bot.models import IngestSummary, PreparedArticle, RawArticle
from bot.store import articles, situations
from bot.store.db import write_transaction

log = logging.getLogger(__name__)

BATCH_SIZE = 500
# A bar is worth drawing only for inputs that take a while.
PROGRESS_MIN_FILES = 50
PROGRESS_MIN_BYTES = 5_000_000

# Met while walking a directory, these are clearly not articles (seeds/ holds topics.toml and
# feeds.toml beside the articles): skipped without a word. Anything else unsupported is reported.
SILENT_EXTENSIONS = frozenset(
    {
        ".toml", ".yaml", ".yml", ".ini", ".cfg", ".conf", ".env", ".lock", ".log",
        ".py", ".pyc", ".sh", ".j2", ".jinja", ".css", ".js", ".map",
        ".db", ".sqlite", ".sqlite3", ".db-wal", ".db-shm", ".db-journal",
        ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp",
    }
)  # fmt: skip
SILENT_STEMS = frozenset({"readme", "license", "licence", "copying", "notice", "changelog"})


# ----------------------------------------------------------------------------- one article


def prepare(
    raw: RawArticle, *, now: dt.datetime, tagger: EntityTagger | None = None
) -> PreparedArticle:
    """Normalise, hash, split into sentences, extract the events each sentence reports and tag
    the entities each mentions (`tagger` defaults to the default catalog's)."""
    title, body, content_hash, published = _normalise(raw)
    return _analyse(raw, title, body, content_hash, published, now=now, tagger=tagger)


def default_tagger() -> EntityTagger:
    """The default catalog's tagger, built once per process (~0.5 s the first time)."""
    # Imported here: the catalog (and its gazetteer) loads only when something is analysed.
    from bot.briefing.topics import default_tagger as catalog_tagger

    return catalog_tagger()


def file_stories(db: sqlite_utils.Database, ids: list[int] | None = None) -> int:
    """File these articles (default: all without a story) in stories (bot.briefing.stories);
    returns how many."""
    # Imported here, like the tagger: story filing compares with the briefing's features.
    from bot.briefing.stories import assign_pending

    return assign_pending(db, ids)


def _normalise(raw: RawArticle) -> tuple[str, str, str, dt.datetime]:
    if raw.published_at is None:
        raise IngestError("no publication date")
    title = analysis_text.normalise_text(raw.title or "")
    body = analysis_text.normalise_text(raw.body or "")
    if not body:
        raise IngestError("no article text")
    title = title or readers.make_title(readers.first_sentence(body))
    return title, body, analysis_text.content_hash(title, body), _utc(raw.published_at)


def _analyse(
    raw: RawArticle,
    title: str,
    body: str,
    content_hash: str,
    published: dt.datetime,
    *,
    now: dt.datetime,
    tagger: EntityTagger | None = None,
) -> PreparedArticle:
    sentences = analysis_sentences.split_sentences(body)
    found = [
        (i, event)
        for i, sentence in enumerate(sentences)
        for event in analysis_events.extract_events(sentence, published=published)
    ]
    tagger = tagger if tagger is not None else default_tagger()
    entities, sentence_entities = tagger.tag_article(title, sentences)
    about = tagger.situations_of(title, sentences)
    url = readers.clean_url(raw.url)
    return PreparedArticle(
        title=title,
        body=body,
        published_at=published,
        fetched_at=_utc(now),
        content_hash=content_hash,
        sentences=sentences,
        events=found,
        url=url,
        outlet=(raw.outlet or "").strip() or readers.outlet_from_url(url) or "unknown",
        language=(raw.language or "").strip().lower() or "en",
        entities=entities,
        sentence_entities=sentence_entities,
        situations=about,
        text_source=raw.text_source,
        date_estimated=raw.date_estimated,
    )


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


# ----------------------------------------------------------------------------- batches


@dataclass
class _Pending:
    raw: RawArticle
    label: str
    title: str
    body: str
    content_hash: str
    published: dt.datetime
    url: str | None


class _Batcher:
    """Dedups as articles arrive and writes them a batch at a time."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        *,
        now: dt.datetime,
        batch_size: int = BATCH_SIZE,
        tagger: EntityTagger | None = None,
    ) -> None:
        self.db = db
        self.now = now
        self.batch_size = batch_size
        self.tagger = tagger if tagger is not None else default_tagger()
        # Articles stored before a situation was declared (or its definition changed) are
        # tagged for it now, so /status can read its articles from the index.
        with write_transaction(db):
            retagged = situations.sync(db, self.tagger.situations)
        for key, marked in retagged.items():
            if marked:
                log.info("tagged %d stored articles as about %s", marked, key)
        # Articles stored before stories were (an older database): filed now, once.
        with write_transaction(db):
            filed = file_stories(db)
        if filed:
            log.info("filed %d stored articles in stories", filed)
        self.summary = IngestSummary()
        self.pending: list[_Pending] = []
        self.seen_urls: set[str] = set()
        self.seen_hashes: set[str] = set()

    def skip(self, label: str, reason: str) -> None:
        log.debug("skipped %s: %s", label, reason)
        self.summary.skipped[label] = reason

    def push(self, raw: RawArticle, label: str) -> None:
        try:
            title, body, content_hash, published = _normalise(raw)
        except IngestError as exc:
            self.skip(label, str(exc))
            return
        url = readers.clean_url(raw.url)
        if content_hash in self.seen_hashes or (url and url in self.seen_urls):
            self.summary.duplicates += 1
            return
        self.seen_hashes.add(content_hash)
        if url:
            self.seen_urls.add(url)
        self.pending.append(_Pending(raw, label, title, body, content_hash, published, url))
        if len(self.pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        if not batch:
            return
        urls = articles.known_urls(self.db, [p.url for p in batch if p.url])
        hashes = articles.known_hashes(self.db, [p.content_hash for p in batch])
        todo: list[_Pending] = []
        for p in batch:
            if p.content_hash in hashes or (p.url and p.url in urls):
                self.summary.duplicates += 1
            else:
                todo.append(p)
        prepared: list[PreparedArticle] = []
        for p, result in zip(todo, self._analyse_all(todo), strict=True):
            if isinstance(result, str):
                self.skip(p.label, result)
            else:
                prepared.append(result)
        if not prepared:
            return
        # Ids in publication order (within a batch) keep id ranges close to date ranges.
        prepared.sort(key=lambda a: a.published_at)
        # An article and its story are stored together; IMMEDIATE because the batch reads
        # (dedup, story features) before it writes, beside other writers (see write_transaction).
        with write_transaction(self.db):
            ids = articles.add_articles(self.db, prepared)
            file_stories(self.db, [i for i in ids if i is not None])
        added = sum(1 for i in ids if i is not None)
        self.summary.added += added
        self.summary.ids.extend(i for i in ids if i is not None)
        # None: another writer stored the same article since our check.
        self.summary.duplicates += len(ids) - added

    def _analyse_all(self, todo: list[_Pending]) -> list[PreparedArticle | str]:
        """The prepared article for each, or the reason its analysis failed."""
        results: list[PreparedArticle | str] = []
        if todo and self.tagger is None:
            self.tagger = default_tagger()  # once per batcher, not per article
        for p in todo:
            try:
                results.append(
                    _analyse(
                        p.raw,
                        p.title,
                        p.body,
                        p.content_hash,
                        p.published,
                        now=self.now,
                        tagger=self.tagger,
                    )
                )
            except Exception as exc:
                # One odd article must not stop a long run; the summary says which and why.
                log.exception("analysis failed for %s", p.label)
                results.append(f"analysis failed: {type(exc).__name__}: {exc}")
        return results


# ----------------------------------------------------------------------------- entry points


def ingest_records(
    db: sqlite_utils.Database,
    raws: Iterable[RawArticle],
    *,
    now: dt.datetime,
    batch_size: int = BATCH_SIZE,
    tagger: EntityTagger | None = None,
) -> IngestSummary:
    """Ingest articles from any source (feeds, URLs, tests) through the same path as files."""
    batcher = _Batcher(db, now=now, batch_size=batch_size, tagger=tagger)
    for n, raw in enumerate(raws, start=1):
        batcher.push(raw, raw.source_path or raw.url or f"record {n}")
    batcher.flush()
    return batcher.summary


def ingest_paths(
    db: sqlite_utils.Database,
    paths: Iterable[Path | str],
    *,
    now: dt.datetime,
    progress: bool = False,
    batch_size: int = BATCH_SIZE,
    stream: IO[str] | None = None,
    tagger: EntityTagger | None = None,
) -> IngestSummary:
    """Ingest files and directories (recursively); report unreadable inputs and go on.

    `progress` asks for a bar on `stream` (stderr by default); it is drawn only when that is a
    terminal and the input is large enough to be worth watching. `tagger` defaults to the
    default catalog's.
    """
    batcher = _Batcher(db, now=now, batch_size=batch_size, tagger=tagger)
    files = list(collect_files(paths, batcher.skip))
    sizes = [_size(f) for f in files]
    bar = _progress_bar(progress, stream, len(files), sum(sizes))
    try:
        for path, size in zip(files, sizes, strict=True):
            _ingest_file(batcher, path, size, bar)
        batcher.flush()
    finally:
        if bar is not None:
            bar.close()
    return batcher.summary


def _ingest_file(batcher: _Batcher, path: Path, size: int, bar: Any) -> None:
    label = str(path)
    try:
        raws, problems = readers.read_file_detailed(path)
    except IngestError as exc:
        batcher.skip(label, str(exc))
        if bar is not None:
            bar.update(size)
        return
    for where, reason in problems:
        batcher.skip(where, reason)
    if not raws and not problems:
        batcher.skip(label, "no articles in file")
    share = size / len(raws) if raws else size
    if not raws and bar is not None:
        bar.update(size)
    for raw in raws:
        batcher.push(raw, raw.source_path or label)
        if bar is not None:
            bar.update(share)


def collect_files(paths: Iterable[Path | str], report: Any = None) -> Iterator[Path]:
    """Files to read, in a stable order: given files as they are, directories walked sorted.

    In directories, hidden entries are skipped, and so are files that are clearly not articles
    (SILENT_EXTENSIONS, README/LICENSE); other unsupported files go to `report(path, reason)`.
    A file named explicitly is always read, and reported if unsupported.
    """
    seen: set[Path] = set()

    def once(path: Path) -> bool:
        key = path.resolve()
        if key in seen:
            return False
        seen.add(key)
        return True

    for given in paths:
        path = Path(given)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
                for name in sorted(names):
                    file = Path(root) / name
                    if name.startswith(".") or not file.is_file():
                        continue
                    suffix = file.suffix.lower()
                    if suffix not in readers.SUPPORTED_EXTENSIONS:
                        quiet = suffix in SILENT_EXTENSIONS or file.stem.lower() in SILENT_STEMS
                        if not quiet and report is not None:
                            report(str(file), f"unsupported file type {suffix or '(none)'!r}")
                        continue
                    if file.stem.lower() in SILENT_STEMS:
                        continue
                    if once(file):
                        yield file
        elif path.is_file():
            if once(path):
                yield path
        elif report is not None:
            report(str(path), "no such file or directory")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _progress_bar(want: bool, stream: IO[str] | None, files: int, total_bytes: int) -> Any:
    if not want:
        return None
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()):
        return None
    if files < PROGRESS_MIN_FILES and total_bytes < PROGRESS_MIN_BYTES:
        return None
    from tqdm import tqdm

    return tqdm(
        total=total_bytes,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc="ingest",
        file=stream,
        leave=False,
        smoothing=0.1,
    )
