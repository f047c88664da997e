"""Entity tagging: the tagger, its storage, the indexed lookups, and what users see of it."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.analysis.entities import EntityTagger, build_tagger, normalise
from bot.briefing import topics as topics_mod
from bot.briefing.topics import default_catalog, default_tagger
from bot.cli import main
from bot.commands import Router
from bot.config import Settings
from bot.ingest.pipeline import ingest_records, prepare
from bot.models import ChatContext, PreparedArticle, RawArticle
from bot.render import check_html, render
from bot.store import entities as store_entities
from bot.store import open_db
from bot.store.articles import add_articles
from bot.store.migrations import MIGRATIONS

NOW = dt.datetime(2026, 3, 11, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def tagger() -> EntityTagger:
    return default_tagger()


# ----------------------------------------------------------------------------- the tagger


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # spellings of one country
        ("DPRK fired a missile.", ["north-korea"]),
        ("N. Korea's envoy spoke.", ["north-korea"]),
        ("Pyongyang said nothing.", ["north-korea"]),
        ("Kim Jong-un inspected a farm.", ["north-korea"]),
        ("KIM JONG UN inspected a farm.", ["north-korea"]),
        ("북한 평양", ["north-korea"]),
        ("Северная Корея", ["north-korea"]),
        # demonyms, and the longest name winning over the shorter inside it
        ("North Korean workers", ["north-korea"]),
        ("Chinese officials", ["china"]),
        ("South Korean troops in Seoul", ["south-korea"]),
        # "Korea" alone is the peninsula (the catalog's choice); so are Koreans and the war
        ("Koreans remember the Korean War.", ["korea"]),
        ("Korea's winter", ["korea"]),
        ("inter-Korean talks at Panmunjom", ["korea"]),
        ("North Korea and South Korea", ["north-korea", "south-korea"]),
        # word boundaries
        ("Chinatown and Indiana", []),
        ("Russians and Russia-based firms", ["russia"]),
        ("the Koreanists met", []),
        # accents and punctuation
        ("Sinŭiju and Sinuiju", ["sinuiju"]),
        ("São Paulo", ["sao-paulo"]),
        ("SAO PAULO", ["sao-paulo"]),
        ("the Beijing–Pyongyang train", ["china", "north-korea"]),
        # Georgia is the country (the catalog's choice; the georgia topic drops Atlanta)
        ("Tbilisi, Georgia", ["georgia"]),
        ("Georgian wine", ["georgia"]),
        # codes: curated upper-case ones only, never lower case, never in a shouting text
        ("US and UK officials met.", ["united-kingdom", "united-states"]),
        ("He told us about it.", []),
        ("JOIN US NOW", []),
        ("Made IN Italy, IT sector, TV shows", ["italy"]),
        ("U.S. envoy", ["united-states"]),
        # inputs that resolve but are not searched ("Latin America" is not the US)
        ("Latin American markets", []),
        # nothing at all
        ("The weather was fine and the trains ran on time.", []),
        ("", []),
    ],
)
def test_tagging(tagger: EntityTagger, text: str, expected: list[str]) -> None:
    assert tagger.tag(text) == expected


def test_long_sentence(tagger: EntityTagger) -> None:
    filler = "the committee discussed budgets and procedures at length " * 400
    text = "Beijing said " + filler + "while Moscow waited and Kaesong reopened."
    assert tagger.tag(text) == ["china", "kaesong", "russia"]


def test_tag_article_unions_title_and_sentences(tagger: EntityTagger) -> None:
    entities, per_sentence = tagger.tag_article(
        "Tokyo reacts", ["Nothing here.", "China and DPRK agreed.", "Seoul too."]
    )
    assert entities == ["china", "japan", "north-korea", "south-korea"]
    assert per_sentence == [(1, "china"), (1, "north-korea"), (2, "south-korea")]


def test_a_table_handed_in_as_data() -> None:
    t = build_tagger(
        [("North Korea", "nk"), ("Korea", "korea"), ("Ülan Bator", "mn")], codes=[("NK", "nk")]
    )
    assert t.tag("north korea") == ["nk"]
    assert t.tag("NORTH-KOREA!") == ["nk"]
    assert t.tag("Korea, north") == ["korea"]
    assert t.tag("ulan bator") == ["mn"]
    assert t.tag("NK and nk") == ["nk"]
    assert t.tag("nk only") == []
    assert build_tagger([]).tag("anything at all") == []


def test_same_normalisation_as_the_catalog() -> None:
    for text in ["N. Korea's", "Kim Jong-un", "São Paulo", "북한", "ÜBER-straße", "Пхеньян"]:
        assert normalise(text) == topics_mod.normalise(text)


def test_tags_agree_with_resolution(tagger: EntityTagger) -> None:
    # Every name the tagger knows means, typed to /brief, the entity it tags: one set of rules.
    catalog = default_catalog()
    for alias, key in tagger.aliases.items():
        found = catalog.lookup(alias)
        assert found is not None and found.key == key, alias
    assert tagger.aliases["korea"] == "korea"  # the peninsula, as topics.py documents
    assert "nice" not in tagger.aliases and "reading" not in tagger.aliases  # common words
    assert "america" not in tagger.aliases  # an input: resolves, never searched
    assert set(tagger.codes) == {"NK", "N.K.", "SK", "US"}  # no ISO codes: "IN", "IT", "TV"


def test_prepare_fills_entities(tagger: EntityTagger) -> None:
    raw = RawArticle(
        "Trains to Pyongyang", "Passenger trains left Beijing. Tourists waited.", NOW, "u"
    )
    art = prepare(raw, now=NOW, tagger=tagger)
    assert art.entities == ["china", "north-korea"]
    assert art.sentence_entities == [(0, "china")]
    assert prepare(raw, now=NOW).entities == art.entities  # the default tagger


# ----------------------------------------------------------------------------- storage


def raw(i: int, title: str, body: str, days_ago: float) -> RawArticle:
    return RawArticle(
        title=title,
        body=body,
        published_at=NOW - dt.timedelta(days=days_ago),
        url=f"https://example.org/{i}",
        outlet="Example",
    )


CORPUS = [
    raw(1, "China and North Korea", "Beijing and Pyongyang reopened the line.", 1),
    raw(2, "China alone", "Chinese exports grew strongly this quarter.", 2),
    raw(3, "DPRK and PRC", "The DPRK and the PRC signed a deal on trade.", 3),
    raw(4, "Old news", "Pyongyang and Beijing spoke about rail long ago.", 10),
    raw(5, "Russia", "Moscow said the bridge over the Tumen would open.", 0.5),
    raw(6, "Seoul", "South Korean officials met in Seoul on rail matters.", 5),
]


@pytest.fixture
def db(tmp_path: Path) -> Any:
    d = open_db(tmp_path / "e.db")
    ingest_records(d, CORPUS, now=NOW)
    yield d
    d.conn.close()


def ids_by_title(db: Any) -> dict[str, int]:
    return {r[1]: r[0] for r in db.execute("SELECT id, title FROM articles")}


def test_articles_mentioning_both_in_a_window(db: Any) -> None:
    ids = ids_by_title(db)
    week = {"since": NOW - dt.timedelta(days=7), "until": NOW}
    both = store_entities.articles_mentioning(db, ["china", "north-korea"], **week, limit=10)
    assert both == [ids["China and North Korea"], ids["DPRK and PRC"]]  # newest first
    everything = store_entities.articles_mentioning(db, ["north-korea", "china"], limit=10)
    assert set(everything) == {ids["China and North Korea"], ids["DPRK and PRC"], ids["Old news"]}
    assert store_entities.articles_mentioning(db, ["china"], **week, limit=1) == [
        ids["China and North Korea"]
    ]
    assert store_entities.articles_mentioning(db, ["china", "russia"], **week) == []
    assert store_entities.articles_mentioning(db, [], **week) == []
    empty = {"since": NOW + dt.timedelta(days=1), "until": NOW + dt.timedelta(days=2)}
    assert store_entities.articles_mentioning(db, ["china"], **empty) == []


def test_sentences_are_tagged(db: Any) -> None:
    rows = db.execute(
        "SELECT s.text, e.entity FROM sentence_entities e JOIN sentences s ON s.id = e.sentence_id"
        " WHERE e.entity = 'russia'"
    ).fetchall()
    assert rows == [("Moscow said the bridge over the Tumen would open.", "russia")]


def test_top_entities(db: Any) -> None:
    week = store_entities.top_entities(db, since=NOW - dt.timedelta(days=7), until=NOW)
    assert week == [("china", 3), ("north-korea", 2), ("russia", 1), ("south-korea", 1)]
    assert store_entities.top_entities(db, limit=1) == [("china", 4)]


def plan(db: Any, sql: str, params: list[Any]) -> str:
    return "\n".join(r[3] for r in db.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def test_queries_use_the_indexes(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, list[Any]]] = []
    real = db.execute

    def spy(sql: str, params: Any = None) -> Any:
        seen.append((sql, list(params or [])))
        return real(sql, params) if params is not None else real(sql)

    monkeypatch.setattr(db, "execute", spy)
    week = {"since": NOW - dt.timedelta(days=7), "until": NOW}
    store_entities.articles_mentioning(db, ["china", "north-korea"], **week)
    store_entities.top_entities(db, **week)
    monkeypatch.undo()
    mentioning = next(p for p in seen if "INTERSECT" in p[0])
    text = plan(db, *mentioning)
    assert "SCAN article_entities" not in text and "SCAN a" not in text, text
    assert text.count("SEARCH article_entities USING PRIMARY KEY (entity=? AND article_id>?") == 2
    assert "SEARCH a USING INTEGER PRIMARY KEY" in text
    top = next(p for p in seen if "GROUP BY" in p[0])
    text = plan(db, *top)
    assert "SEARCH e USING COVERING INDEX article_entities_article (article_id>? AND" in text, text
    assert "SCAN article_entities" not in text
    window = next(p for p in seen if "min(id)" in p[0])
    assert "USING COVERING INDEX articles_published" in plan(db, *window)


def test_duplicate_entities_are_stored_once(tmp_path: Path) -> None:
    d = open_db(tmp_path / "d.db")
    item = PreparedArticle(
        "t", "b", NOW, NOW, "h", ["s1", "s2"], entities=["china", "china"],
        sentence_entities=[(0, "china"), (0, "china"), (1, "japan")],
    )  # fmt: skip
    [article_id] = add_articles(d, [item])
    assert store_entities.entities_of(d, article_id) == ["china"]
    assert d.execute("SELECT count(*) FROM sentence_entities").fetchone()[0] == 2
    d.conn.close()


def test_migration_tags_an_existing_database(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    import sqlite_utils

    old = sqlite_utils.Database(conn)
    MIGRATIONS.apply(old, stop_before="m004_entities")  # the schema as shipped before tagging
    assert not old["article_entities"].exists()
    article = prepare(CORPUS[0], now=NOW, tagger=build_tagger([]))
    old.execute(
        "INSERT INTO articles (id, url, outlet, title, body, published_at, fetched_at, language,"
        " content_hash) VALUES (7, 'u', 'o', ?, ?, '2026-03-10T12:00:00Z',"
        " '2026-03-10T12:00:00Z', 'en', 'h')",
        [article.title, article.body],
    )
    old.conn.executemany(
        "INSERT INTO sentences (article_id, position, text) VALUES (7, ?, ?)",
        list(enumerate(article.sentences)),
    )
    old.conn.commit()
    conn.close()

    db = open_db(path)
    try:
        assert store_entities.entities_of(db, 7) == ["china", "north-korea"]
        assert db.execute("SELECT count(*) FROM sentence_entities").fetchone()[0] == 2
        assert store_entities.articles_mentioning(db, ["china", "north-korea"]) == [7]
    finally:
        db.conn.close()
    # A new database never loads the gazetteer for the migration: it has nothing to tag.
    fresh = open_db(tmp_path / "new.db")
    assert fresh["article_entities"].exists() and fresh["sentence_entities"].exists()
    fresh.conn.close()


# ----------------------------------------------------------------------------- front ends


def ctx(now: dt.datetime = NOW) -> ChatContext:
    return ChatContext(now=now, chat_id=1, user_id=2, chat_type="private", bot_username="B")


def test_topics_lists_the_most_covered_entities(db: Any, tmp_path: Path) -> None:
    router = Router(Settings(db_path=tmp_path / "e.db"))
    try:
        reply = router.handle("/topics", ctx())
        assert reply is not None and reply.kind == "topics"
        got = [(e["name"], e["articles"], e["key"]) for e in reply.model["entities"]]
        assert got == [
            ("China", 3, "china"),
            ("North Korea", 2, "dprk"),  # briefed through its declared topic
            ("Russia", 1, "russia"),
            ("South Korea", 1, "south-korea"),
        ]
        html = "\n".join(render(reply, "html"))
        for chunk in render(reply, "html"):
            check_html(chunk)
        assert "North Korea — 2 articles" in html and "<code>/brief dprk</code>" in html
        assert "Russia — 1 article ·" in html
        assert "China — 3 articles" in render(reply, "text")[0]
        # A month later nothing is recent: the list says so rather than vanishing.
        later = router.handle("/topics", ctx(NOW + dt.timedelta(days=30)))
        assert later is not None and later.model["entities"] == []
        assert "No articles from the last 7 days" in render(later, "text")[0]
    finally:
        router.close()


def test_every_spelling_briefs_the_same_seed_articles(seeded_db_path: Path) -> None:
    router = Router(Settings(db_path=seeded_db_path))
    try:
        cited = []
        for typed in ("dprk", "north korea", "pyongyang", "N. Korea", "DPRK"):
            reply = router.handle(f"/brief {typed}", ctx())
            assert reply is not None and reply.kind == "brief", typed
            cited.append(sorted({a.id for s in reply.model.stories for a in s.articles}))
        assert cited[0], "the seed article should be briefed"
        assert all(c == cited[0] for c in cited)
        # ... and they are the articles tagged with the entity every spelling names.
        week = {"since": NOW - dt.timedelta(days=7), "until": NOW}
        tagged = store_entities.articles_mentioning(router.db(), ["north-korea"], **week)
        assert sorted(tagged) == cited[0]
    finally:
        router.close()


def test_seed_article_is_tagged(seeded_db: Any) -> None:
    [article_id] = [r[0] for r in seeded_db.execute("SELECT id FROM articles")]
    assert {"china", "north-korea"} <= set(store_entities.entities_of(seeded_db, article_id))


def test_resolve_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resolve", "n. korea"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("entity: North Korea (north-korea)")
    assert "/brief dprk" in out and "DPRK" in out and "Pyongyang" in out
    assert 'fts:      ("North Korea" OR ' in out


def test_resolve_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resolve", "n. korea", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["input"] == "n. korea"
    assert (data["kind"], data["key"], data["title"]) == ("entity", "north-korea", "North Korea")
    assert "Kim Jong Un" in data["aliases"] and '"DPRK"' in data["fts"]

    assert main(["resolve", "Beijing–Pyongyang", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["kind"], data["key"]) == ("situation", "beijing-pyongyang")
    assert "China" in data["entities"][0] and "North Korea" in data["entities"][1]
    assert "train" in data["facets"] and '"train"' in data["fts"]

    assert main(["resolve", "china-us", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "pair" and data["title"] == "China–United States"

    assert main(["resolve", "dprk-missiles", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "topic" and "missile" in data["keywords"]


def test_resolve_unknown_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["resolve", "north kroea"]) == 2
    err = capsys.readouterr().err
    assert "north kroea" in err and "Did you mean: North Korea" in err
    assert main(["resolve", "north kroea", "--format", "json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["suggestions"][0] == "North Korea" and data["input"] == "north kroea"


def test_the_default_tagger_is_built_once() -> None:
    assert default_tagger() is default_tagger()
    assert default_catalog().tagger() is default_tagger()
