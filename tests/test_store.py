"""The store: schema, dedup, windows, transactions, FTS query building."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading

import pytest

from bot.errors import QueryError
from bot.models import DateRef, Event, PreparedArticle
from bot.store import fts, open_db
from bot.store.articles import add_articles, article_refs, count_articles, date_span, list_sources
from bot.store.migrations import MIGRATIONS
from bot.store.search import (
    count_matches,
    events_for_articles,
    match_articles,
    match_sentences,
    parse_snippet,
    sentences_of,
    snippets,
)

T0 = dt.datetime(2026, 3, 11, 9, 0, tzinfo=dt.UTC)


def art(
    n: int, text: str, *, day: int = 0, url: str | None = None, outlet: str = "Wire"
) -> PreparedArticle:
    sentences = [s.strip() + "." for s in text.split(".") if s.strip()]
    return PreparedArticle(
        title=f"Story {n}",
        body=text,
        published_at=T0 + dt.timedelta(days=day),
        fetched_at=T0,
        content_hash=f"hash-{n}",
        sentences=sentences,
        url=url,
        outlet=outlet,
    )


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "sub" / "t.db")


def test_open_creates_wal_database_and_is_idempotent(tmp_path):
    path = tmp_path / "a" / "b.db"
    db = open_db(path)
    assert path.exists()
    assert db.journal_mode == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    applied = [m.name for m in MIGRATIONS.applied(db)]
    db.close()
    db2 = open_db(path)
    assert [m.name for m in MIGRATIONS.applied(db2)] == applied
    assert {"articles", "sentences", "events", "articles_fts", "sentences_fts"} <= set(
        db2.table_names()
    )


def test_duplicates_by_url_and_by_hash_change_nothing(db):
    a = art(1, "Trains resume between Beijing and Pyongyang.", url="https://x.test/1")
    assert add_articles(db, [a]) == [1]
    same_url = art(2, "Different text entirely.", url="https://x.test/1")
    same_hash = art(3, "Other words.", url="https://y.test/9")
    same_hash.content_hash = a.content_hash
    assert add_articles(db, [same_url, same_hash]) == [None, None]
    assert count_articles(db) == 1
    assert db.execute("SELECT count(*) FROM sentences").fetchone()[0] == 1


def test_duplicates_within_one_batch(db):
    a = art(1, "One.")
    b = art(2, "Two.")
    b.content_hash = a.content_hash
    assert add_articles(db, [a, b]) == [1, None]


def test_failed_batch_leaves_nothing(db, monkeypatch):
    good = art(1, "Good article text.")
    bad = art(2, "Bad article text.")
    bad.title = None  # NOT NULL violation mid-batch
    with pytest.raises(sqlite3.IntegrityError):
        add_articles(db, [good, bad])
    assert count_articles(db) == 0
    assert db.execute("SELECT count(*) FROM sentences").fetchone()[0] == 0
    assert (
        db.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'good'").fetchone()[
            0
        ]
        == 0
    )


def test_fts_triggers_keep_index_in_sync(db):
    add_articles(db, [art(1, "Passenger trains resumed.")])
    assert count_matches(db, fts.quote("train")) == 1  # porter stemming
    db.execute("UPDATE articles SET body = 'Flights only.' WHERE id = 1")
    assert count_matches(db, fts.quote("train")) == 0
    assert count_matches(db, fts.quote("flight")) == 1


def test_window_filters_exactly(db):
    add_articles(db, [art(i, f"Rail news number {i}.", day=i) for i in range(10)])
    since, until = T0 + dt.timedelta(days=3), T0 + dt.timedelta(days=5)
    hits = match_articles(db, fts.quote("rail"), since=since, until=until)
    assert sorted(h.published_at for h, _ in hits) == [T0 + dt.timedelta(days=d) for d in (3, 4, 5)]
    assert count_matches(db, fts.quote("rail"), since=T0 + dt.timedelta(days=50)) == 0
    assert match_sentences(db, fts.quote("rail"), until=T0) != []
    assert len(match_sentences(db, fts.quote("rail"), since=since, until=until)) == 3


def test_window_when_ids_do_not_follow_time(db):
    # Ingest order reversed against publication order: the rowid range must stay correct.
    add_articles(db, [art(i, f"Rail item {i}.", day=-i) for i in range(6)])
    hits = match_articles(db, fts.quote("rail"), since=T0 - dt.timedelta(days=2), until=T0)
    assert len(hits) == 3


def test_ranking_and_ties_newest_first(db):
    add_articles(db, [art(1, "Rail.", day=0), art(2, "Rail.", day=2), art(3, "Rail.", day=1)])
    for a in (1, 2, 3):
        db.execute("UPDATE articles SET title = 'Same' WHERE id = ?", [a])
    ids = [ref.id for ref, _ in match_articles(db, fts.quote("rail"))]
    assert ids == [2, 3, 1]


def test_snippets_mark_hits(db):
    add_articles(db, [art(1, "The first passenger train left Beijing on Thursday.")])
    (hit,) = snippets(db, fts.user_query("train"))
    assert any(s.hit and s.text.lower().startswith("train") for s in hit.snippet)
    assert (
        "".join(s.text for s in hit.snippet)
        == "The first passenger train left Beijing on Thursday."
    )


def test_parse_snippet_handles_unclosed_marker():
    assert parse_snippet("a \ue000b") == [parse_snippet("a ")[0], parse_snippet("\ue000b\ue001")[0]]
    assert parse_snippet("") == []


def test_sentences_events_refs_sources(db):
    item = art(1, "Trains were halted in 2020. Service resumes Thursday.", outlet="Yonhap")
    item.events = [
        (
            0,
            Event(
                "suspended",
                "reported",
                "halted",
                date=DateRef(dt.date(2020, 1, 1), "year", "in 2020"),
            ),
        )
    ]
    add_articles(db, [item, art(2, "Other.", outlet="Xinhua", day=1)])
    sents = sentences_of(db, [1])[1]
    assert [s.position for s in sents] == [0, 1]
    (ev,) = events_for_articles(db, [1, 2])
    assert ev.event.date == DateRef(dt.date(2020, 1, 1), "year", "in 2020")
    assert ev.sentence.text == "Trains were halted in 2020."
    assert ev.article.outlet == "Yonhap"
    assert set(article_refs(db, [1, 2])) == {1, 2}
    # One article each: ties are broken by outlet name.
    assert [(s.outlet, s.articles) for s in list_sources(db)] == [("Xinhua", 1), ("Yonhap", 1)]
    assert date_span(db) == (T0, T0 + dt.timedelta(days=1))


def test_readers_see_committed_data_while_writer_is_open(tmp_path):
    path = tmp_path / "w.db"
    writer = open_db(path)
    add_articles(writer, [art(1, "Rail.")])
    results: list[int] = []
    t = threading.Thread(
        target=lambda: results.append(count_articles(open_db(path, migrate=False)))
    )
    t.start()
    t.join()
    assert results == [1]


# ----------------------------------------------------------------------------- FTS query builder


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("train tickets", '"train" AND "tickets"'),
        ('"passenger train"', '"passenger train"'),
        ('"unbalanced', '"unbalanced"'),
        ("NEAR(", '"NEAR"'),
        ("dprk OR pyongyang", '("dprk" OR "pyongyang")'),
        ("rail -korea", '("rail") NOT ("korea")'),
        ("trai*", '"trai"*'),
        ("t*", '"t"'),
        ("title:foo", '"title foo"'),
        ("N.Korea", '"N Korea"'),
        ("^start", '"start"'),
        ('say "a ""b', '"say" AND "a" AND "b"'),
        ("北朝鮮", '"北朝鮮"'),
    ],
)
def test_user_query_pins_the_match_expression(typed, expected):
    assert fts.user_query(typed) == expected


@pytest.mark.parametrize("typed", ["*", '"', "", "   ", "( ) : ^", "-rail", "😀", "OR"])
def test_user_query_rejects_nothing_to_search(typed):
    with pytest.raises(QueryError):
        fts.user_query(typed)


def test_user_query_caps_length():
    with pytest.raises(QueryError):
        fts.user_query(" ".join(f"w{i}" for i in range(100)))


@pytest.mark.parametrize(
    "typed",
    [
        '"unbalanced',
        "NEAR(",
        "a AND",
        "OR b",
        "NOT",
        "x:y",
        "(((",
        'a"b"c',
        "-",
        "* *",
        "\x00z",
        "ß" * 3000,
    ],
)
def test_every_user_query_is_valid_fts5(db, typed):
    try:
        match = fts.user_query(typed)
    except QueryError:
        return
    count_matches(db, match)  # must not raise


def test_builders():
    assert fts.quote('say "hi"') == '"say ""hi"""'
    assert (
        fts.any_of(["North Korea", "north  korea", "DPRK", "", "!!"]) == '("North Korea" OR "DPRK")'
    )
    assert fts.any_of(["x"]) == '"x"'
    assert fts.any_of([]) == ""
    assert fts.all_of('"a"', "", '("b" OR "c")') == '"a" AND ("b" OR "c")'
    assert fts.exclude('"a"', '"b"') == '("a") NOT ("b")'
