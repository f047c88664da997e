"""The ingest pipeline: directories, dedup, summaries, batches and interruptions."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from bot.analysis.text import content_hash
from bot.config import ROOT
from bot.errors import IngestError
from bot.ingest import ingest_paths, ingest_records, pipeline, prepare
from bot.models import RawArticle
from bot.store import open_db

SEED = ROOT / "seeds" / "000_eba980bd3d31b10d.txt"
NOW = dt.datetime(2026, 3, 13, 12, 0, tzinfo=dt.UTC)
UTC = dt.UTC


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite_utils.Database]:
    database = open_db(tmp_path / "db" / "test.db")
    yield database
    database.conn.close()


def raw(n: int, **kw: object) -> RawArticle:
    fields: dict = {
        "title": f"Story number {n}",
        "body": f"Passenger trains resumed on route {n}. Officials in Dandong said so on day {n}.",
        "published_at": dt.datetime(2026, 3, 1, tzinfo=UTC) + dt.timedelta(hours=n),
        "url": f"https://www.example.com/story-{n}",
        "outlet": "Example News",
    }
    fields.update(kw)
    return RawArticle(**fields)


def snapshot(db: sqlite_utils.Database) -> dict[str, list[tuple]]:
    return {
        table: db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
        for table in ("articles", "sentences", "events")
    }


def assert_consistent(db: sqlite_utils.Database) -> None:
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    # Full-text indexes agree with their tables (FTS5 raises on a mismatch).
    db.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
    db.execute("INSERT INTO sentences_fts(sentences_fts) VALUES('integrity-check')")
    orphans = db.execute(
        "SELECT count(*) FROM articles a WHERE NOT EXISTS"
        " (SELECT 1 FROM sentences s WHERE s.article_id = a.id)"
    ).fetchone()[0]
    assert orphans == 0  # every stored article came with its sentences


def make_corpus(root: Path) -> Path:
    """A directory like seeds/: articles in every format, config files, junk."""
    corpus = root / "corpus"
    (corpus / "nested" / "deeper").mkdir(parents=True)
    (corpus / ".hidden").mkdir()
    shutil.copy(SEED, corpus / "000_seed.txt")
    (corpus / "topics.toml").write_text("[topics.dprk]\ntitle = 'North Korea'\n")
    (corpus / "feeds.toml").write_text("[[feeds]]\nurl = 'https://example.com/rss'\n")
    (corpus / "README.md").write_text("# Seeds\n\nSample articles for briefbot.\n")
    (corpus / ".hidden" / "secret.txt").write_text("date 2026-03-01 Hidden article.\n")
    (corpus / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (corpus / "notes.pdf").write_bytes(b"%PDF-1.7")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "blob.txt").write_bytes(b"\x00\x01\x02\x03binary")
    (corpus / "nodate.md").write_text("# A heading\n\nText without any date at all.\n")
    (corpus / "nested" / "a.txt").write_text(
        "Title: Seoul rail talks\nDate: 2026-03-10\nSource: Yonhap\n\n"
        "South Korea said it would monitor the Pyongyang-Beijing train service.\n"
    )
    records = [
        {
            "url": "https://www.example.com/j1",
            "title": "Dandong agents sell tickets",
            "body": "Agents in Dandong said tickets went on sale on Tuesday.",
            "published_at": "2026-03-10T08:00:00Z",
            "source": "Example News",
        },
        {"url": "https://www.example.com/j2", "title": "No date here", "body": "Body text."},
    ]
    (corpus / "nested" / "deeper" / "records.jsonl").write_text(
        "\n".join(json.dumps(r) for r in records) + "\n{not json\n"
    )
    (corpus / "nested" / "one.json").write_text(
        json.dumps(
            {
                "url": "https://www.example.org/x",
                "title": "Flights resume",
                "text": "Flights between Seoul and Tokyo resumed on Monday.",
                "date": "2026-03-09",
            }
        )
    )
    return corpus


# ----------------------------------------------------------------------------- prepare


def test_prepare_seed() -> None:
    from bot.ingest.readers import read_file

    [seed] = read_file(SEED)
    art = prepare(seed, now=NOW)
    assert art.published_at == dt.datetime(2026, 3, 11, tzinfo=UTC)
    assert art.fetched_at == NOW
    assert art.outlet == "unknown" and art.url is None and art.language == "en"
    assert art.title.startswith("China and North Korea has decided")
    assert art.sentences[0] == art.title
    assert len(art.sentences) >= 12
    assert art.content_hash == content_hash(art.title, art.body)
    assert art.events, "the seed reports state changes (halted, resume)"
    assert all(0 <= i < len(art.sentences) for i, _ in art.events)


def test_prepare_fills_outlet_from_url_and_normalises() -> None:
    art = prepare(
        raw(1, outlet=None, url="https://www.nknews.org/a#x", body="  Trains\u00a0 resumed.  "),
        now=NOW,
    )
    assert art.outlet == "nknews.org"
    assert art.url == "https://www.nknews.org/a"
    assert art.body == "Trains resumed."


def test_prepare_requires_date_and_text() -> None:
    with pytest.raises(IngestError, match="no publication date"):
        prepare(raw(1, published_at=None), now=NOW)
    with pytest.raises(IngestError, match="no article text"):
        prepare(raw(1, body=" \n "), now=NOW)


def test_prepare_makes_naive_dates_utc() -> None:
    art = prepare(raw(1, published_at=dt.datetime(2026, 3, 1, 9)), now=NOW.replace(tzinfo=None))
    assert art.published_at == dt.datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert art.fetched_at == NOW


# ----------------------------------------------------------------------------- ingest_paths


def test_ingest_directory_then_again(db: sqlite_utils.Database, tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path)
    first = ingest_paths(db, [corpus], now=NOW)
    assert first.added == 4  # seed, a.txt, one record of records.jsonl, one.json
    assert first.duplicates == 0
    jsonl = corpus / "nested" / "deeper" / "records.jsonl"
    assert first.skipped == {
        str(corpus / "blob.txt"): "binary file",
        str(corpus / "empty.txt"): "empty file",
        str(corpus / "nodate.md"): "no publication date",
        str(jsonl) + ":2": "no publication date",
        str(jsonl) + ":3": first.skipped[str(jsonl) + ":3"],
        str(corpus / "notes.pdf"): "unsupported file type '.pdf'",
    }
    assert first.skipped[str(jsonl) + ":3"].startswith("invalid JSON")
    titles = {r[0] for r in db.execute("SELECT title FROM articles")}
    assert "Hidden article." not in titles
    assert_consistent(db)
    before = snapshot(db)

    second = ingest_paths(db, [corpus], now=NOW + dt.timedelta(days=1))
    assert second.added == 0
    assert second.duplicates == 4
    assert second.skipped == first.skipped
    assert snapshot(db) == before


def test_seed_stored(db: sqlite_utils.Database) -> None:
    summary = ingest_paths(db, [SEED], now=NOW)
    assert (summary.added, summary.duplicates, summary.skipped) == (1, 0, {})
    row = db.execute("SELECT title, published_at, fetched_at, outlet, url FROM articles").fetchone()
    assert row[0].startswith("China and North Korea")
    assert row[1:] == ("2026-03-11T00:00:00Z", "2026-03-13T12:00:00Z", "unknown", None)


def test_same_file_twice_in_one_run(db: sqlite_utils.Database, tmp_path: Path) -> None:
    copy = tmp_path / "in" / "seed.txt"
    copy.parent.mkdir()
    shutil.copy(SEED, copy)
    # Named twice and inside a named directory: read once, so not even a duplicate.
    summary = ingest_paths(
        db, [copy, copy.parent, tmp_path / "in" / ".." / "in" / "seed.txt"], now=NOW
    )
    assert (summary.added, summary.duplicates, summary.skipped) == (1, 0, {})


def test_missing_and_explicit_unsupported(db: sqlite_utils.Database, tmp_path: Path) -> None:
    toml = tmp_path / "topics.toml"
    toml.write_text("x = 1\n")
    summary = ingest_paths(db, [tmp_path / "nope", toml], now=NOW)
    assert summary.skipped == {
        str(tmp_path / "nope"): "no such file or directory",
        str(toml): "unsupported file type '.toml'",  # named explicitly: worth saying
    }


def test_copy_of_seed_in_another_format_is_duplicate(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    text = SEED.read_text(encoding="utf-8")
    copy = tmp_path / "copy.txt"
    # Same words, other typography: CRLF, BOM, curly quotes straightened, extra spaces.
    copy.write_bytes(
        ("\ufeff" + text.replace("\n", "\r\n").replace("’", "'").replace(" ", "  ")).encode()
    )
    summary = ingest_paths(db, [SEED, copy], now=NOW)
    assert (summary.added, summary.duplicates) == (1, 1)


# ----------------------------------------------------------------------------- dedup


def test_same_content_other_url_is_duplicate(db: sqlite_utils.Database) -> None:
    first = ingest_records(db, [raw(1)], now=NOW)
    assert (first.added, first.duplicates) == (1, 0)
    copy = raw(1, url="https://syndicated.example.net/copy", outlet="Other Outlet")
    again = ingest_records(db, [copy], now=NOW)
    assert (again.added, again.duplicates) == (0, 1)
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 1


def test_same_url_other_content_is_duplicate(db: sqlite_utils.Database) -> None:
    ingest_records(db, [raw(1)], now=NOW)
    updated = raw(1, body="A rewritten body, entirely different words.")
    summary = ingest_records(db, [updated], now=NOW)
    assert (summary.added, summary.duplicates) == (0, 1)
    stored = db.execute("SELECT body FROM articles").fetchone()[0]
    assert stored.startswith("Passenger trains resumed")


def test_duplicates_within_one_run_and_batch(db: sqlite_utils.Database) -> None:
    items = [
        raw(1),
        raw(2),
        raw(1, url="https://mirror.example.org/1"),  # same text
        raw(3, url="https://www.example.com/story-2"),  # same url
        raw(4, url=None),
        raw(4, url=None, title="Story  number 4"),  # same words, other spacing
        raw(5),
    ]
    for batch_size in (2, 500):
        fresh = open_db(":memory:")
        summary = ingest_records(fresh, items, now=NOW, batch_size=batch_size)
        assert (summary.added, summary.duplicates, summary.skipped) == (4, 3, {})
        urls = [r[0] for r in fresh.execute("SELECT url FROM articles ORDER BY id")]
        assert urls == [
            "https://www.example.com/story-1",
            "https://www.example.com/story-2",
            None,
            "https://www.example.com/story-5",
        ]


def test_records_skipped_with_reasons(db: sqlite_utils.Database) -> None:
    items = [
        raw(1, published_at=None, source_path="feed:item-1"),
        raw(2, body="", url="https://www.example.com/empty"),
        raw(3),
    ]
    summary = ingest_records(db, items, now=NOW)
    assert summary.added == 1
    assert summary.skipped == {
        "feed:item-1": "no publication date",
        "https://www.example.com/empty": "no article text",
    }
    assert summary.total == 3


def test_ids_follow_publication_within_a_batch(db: sqlite_utils.Database) -> None:
    items = [raw(n) for n in (5, 1, 4, 2, 3)]
    ingest_records(db, items, now=NOW)
    dates = [r[0] for r in db.execute("SELECT published_at FROM articles ORDER BY id")]
    assert dates == sorted(dates)


def test_analysis_failure_skips_one_article(
    db: sqlite_utils.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pipeline.analysis_events.extract_events

    def flaky(sentence: str, *, published: dt.datetime) -> list:
        if "route 2." in sentence:
            raise ValueError("odd sentence")
        return real(sentence, published=published)

    monkeypatch.setattr(pipeline.analysis_events, "extract_events", flaky)
    summary = ingest_records(db, [raw(1), raw(2), raw(3)], now=NOW)
    assert summary.added == 2
    assert summary.skipped == {
        "https://www.example.com/story-2": "analysis failed: ValueError: odd sentence"
    }


# ----------------------------------------------------------------------------- interruption


def test_interrupted_batch_leaves_db_consistent(db: sqlite_utils.Database) -> None:
    # A failure in the middle of writing the second batch (after some of its rows went in).
    db.execute(
        "CREATE TRIGGER boom BEFORE INSERT ON articles WHEN NEW.title = 'Story number 5'"
        " BEGIN SELECT RAISE(ABORT, 'simulated crash'); END"
    )
    items = [raw(n) for n in range(1, 8)]
    with pytest.raises(Exception, match="simulated crash"):
        ingest_records(db, items, now=NOW, batch_size=3)
    titles = [r[0] for r in db.execute("SELECT title FROM articles ORDER BY id")]
    assert titles == ["Story number 1", "Story number 2", "Story number 3"]  # whole batches only
    assert db.execute("SELECT count(*) FROM sentences").fetchone()[0] == 6
    assert not db.conn.in_transaction
    assert_consistent(db)

    # Re-running after the cause is gone completes the job, and only the job.
    db.execute("DROP TRIGGER boom")
    summary = ingest_records(db, items, now=NOW, batch_size=3)
    assert (summary.added, summary.duplicates) == (4, 3)
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 7
    assert_consistent(db)


def test_interrupt_during_analysis_keeps_earlier_batches(
    db: sqlite_utils.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pipeline.analysis_events.extract_events

    def ctrl_c(sentence: str, *, published: dt.datetime) -> list:
        if "route 6." in sentence:
            raise KeyboardInterrupt
        return real(sentence, published=published)

    monkeypatch.setattr(pipeline.analysis_events, "extract_events", ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        ingest_records(db, [raw(n) for n in range(1, 10)], now=NOW, batch_size=4)
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 4
    assert_consistent(db)


# ----------------------------------------------------------------------------- progress bar


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(
    db: sqlite_utils.Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = make_corpus(tmp_path)
    monkeypatch.setattr(pipeline, "PROGRESS_MIN_FILES", 1)
    piped = io.StringIO()
    ingest_paths(db, [corpus], now=NOW, progress=True, stream=piped)
    assert piped.getvalue() == ""

    fresh = open_db(tmp_path / "other.db")
    terminal = FakeTTY()
    ingest_paths(fresh, [corpus], now=NOW, progress=True, stream=terminal)
    assert "ingest" in terminal.getvalue()

    quiet = FakeTTY()
    ingest_paths(open_db(tmp_path / "third.db"), [corpus], now=NOW, progress=False, stream=quiet)
    assert quiet.getvalue() == ""


def test_progress_bar_defaults_to_stderr_and_small_inputs_get_none(
    db: sqlite_utils.Database, capsys: pytest.CaptureFixture[str]
) -> None:
    ingest_paths(db, [SEED], now=NOW, progress=True)
    assert capsys.readouterr().err == ""
    assert pipeline._progress_bar(True, FakeTTY(), files=3, total_bytes=1000) is None


def test_collect_files_order_and_filters(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path)
    reported: dict[str, str] = {}
    files = list(pipeline.collect_files([corpus], lambda p, r: reported.__setitem__(p, r)))
    rel = [str(f.relative_to(corpus)) for f in files]
    assert rel == [
        "000_seed.txt",
        "blob.txt",
        "empty.txt",
        "nodate.md",
        "nested/a.txt",
        "nested/one.json",
        "nested/deeper/records.jsonl",
    ]
    assert reported == {str(corpus / "notes.pdf"): "unsupported file type '.pdf'"}
