"""bot.briefing.status on multi-article stories: several outlets each, relative dates, hedged
and conflicting claims, plans that never happen and later reports overturning plans.

The texts read like wire and newspaper copy; the places and carriers are real, the events
invented. Each story is ingested through the real ingest path into a temporary SQLite file and
asked for its status at several dates (`as_of`), never the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from bot.briefing.status import build_status
from bot.briefing.topics import Catalog
from bot.config import ROOT
from bot.ingest import ingest_paths, ingest_records
from bot.models import RawArticle, Situation, Status
from bot.store import open_db


def at(text: str) -> dt.datetime:
    """'2026-03-12 08:00' -> aware UTC datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@dataclass
class Story:
    situation: Situation
    articles: list[RawArticle]


def _a(outlet: str | None, published: str, title: str, body: str, slug: str) -> RawArticle:
    url = f"https://{(outlet or 'unknown').lower().replace(' ', '')}.example/{slug}" if outlet \
        else None
    return RawArticle(title=title, body=body, published_at=at(published), url=url, outlet=outlet)


# ----------------------------------------------------------------------------- 1. rail link
# The seed's story continued: the first train runs, two outlets report it, state media is silent.

BEIJING_PYONGYANG_FOLLOW_UP = [
    _a("Yonhap", "2026-03-13 01:30", "First Beijing-Pyongyang passenger train in six years departs",
       "The first passenger train between Beijing and Pyongyang in six years departed on "
       "Thursday evening, Yonhap reported, citing a travel agency in Dandong.\n\n"
       "The K27 train left Beijing railway station with about 100 passengers on board, most of "
       "them Chinese workers and North Korean students, the agency said.\n\n"
       "North Korea's state media has not reported on the resumption.",
       "first-train"),
    _a("Xinhua", "2026-03-13 09:00", "Beijing-Pyongyang international train arrives",
       "An international passenger train from Beijing arrived in Pyongyang on Friday morning, "
       "Xinhua said.\n\nThe service will run four times a week, according to China State "
       "Railway Group.",
       "arrives"),
]

# ----------------------------------------------------------------------------- 2. flights
# A resumption announced for a date, restated, missed, then postponed indefinitely.

LONDON_TEHRAN = Situation(
    key="london-tehran-flights",
    title="London–Tehran flights",
    entities=[["London", "Britain", "British", "UK"], ["Tehran", "Iran", "Iranian"]],
    facets=["flight", "flights", "Iran Air", "direct service"],
)
LONDON_TEHRAN_ARTICLES = [
    _a("Reuters", "2026-01-09 10:00", "Iran Air to resume London flights in February",
       "Iran Air will resume direct flights between Tehran and London on February 1, the airline "
       "said on Friday.\n\nFlights on the route were suspended in October 2024 after Britain "
       "barred the carrier over sanctions concerns.\n\nTickets are not yet on sale, travel "
       "agents in Tehran said.",
       "iran-air-resume"),
    _a("BBC", "2026-01-20 08:00", "Iran Air sets date for London return",
       "Iran Air's flights to London are scheduled to restart on February 1, a spokesperson "
       "told the BBC.\n\nBritish officials declined to comment on the plans.",
       "iran-air-date"),
    _a("AFP", "2026-02-03 12:00", "No sign of Iran Air London flights",
       "Iran Air has yet to resume flights to London, two days after the planned restart, "
       "travel agents in Tehran said.\n\nNo new date has been given for the service.",
       "iran-air-missed"),
    _a("Reuters", "2026-02-10 15:00", "Iran Air postpones London flights indefinitely",
       "Iran Air has postponed the resumption of its Tehran-London flights indefinitely, the "
       "airline said on Tuesday, citing problems with insurance.",
       "iran-air-postponed"),
]

# ----------------------------------------------------------------------------- 3. crossing
# Satellite hints, an official denial, then the crossing really opens, for freight only.

DANDONG_SINUIJU = Situation(
    key="dandong-sinuiju",
    title="Dandong–Sinuiju border crossing",
    entities=[["Dandong"], ["Sinuiju"]],
    facets=["bridge", "crossing", "border", "trucks", "freight", "customs"],
)
DANDONG_SINUIJU_ARTICLES = [
    _a("NK News", "2026-04-02 06:00", "Satellite images hint at traffic on Yalu bridge",
       "Satellite images appear to show trucks crossing the New Yalu River Bridge between "
       "Dandong and Sinuiju, suggesting the crossing may have reopened.\n\nThe border crossing "
       "has been closed since January 2020 because of the pandemic.",
       "yalu-images"),
    _a("Yonhap", "2026-04-03 04:00", "China denies reopening of Dandong crossing",
       "China's foreign ministry denied that the bridge crossing between Dandong and Sinuiju "
       "had reopened.\n\nA spokesperson said the images showed routine maintenance vehicles.",
       "denial"),
    _a("Reuters", "2026-04-20 11:00", "China-North Korea bridge opens to freight",
       "The New Yalu River Bridge between Dandong and Sinuiju opened to freight traffic on "
       "Monday, customs officials in Dandong said.\n\nThe bridge was completed in 2014 but had "
       "never carried regular traffic.",
       "bridge-opens"),
    _a("AFP", "2026-04-22 09:00", "Only food trucks cross Yalu bridge",
       "Only trucks carrying food and medicine are allowed to use the crossing between Dandong "
       "and Sinuiju, officials said.",
       "food-only"),
]

# ----------------------------------------------------------------------------- 4. event
# A sporting event announced, postponed, then cancelled for the year.

PYONGYANG_MARATHON = Situation(
    key="pyongyang-marathon",
    title="Pyongyang Marathon 2026",
    entities=[["Pyongyang", "North Korea", "North Korean"]],
    facets=["marathon"],
)
PYONGYANG_MARATHON_ARTICLES = [
    _a("NK News", "2026-01-15 09:00", "Pyongyang Marathon set for April",
       "The Pyongyang Marathon will take place on April 5, with foreign amateur runners allowed "
       "to take part, tour operators said.\n\nThe race was last held in April 2025.",
       "marathon-april"),
    _a("Reuters", "2026-02-20 07:00", "Pyongyang Marathon postponed",
       "Organisers have postponed the Pyongyang Marathon, originally scheduled for April 5, "
       "until further notice, according to tour agencies in Beijing.",
       "marathon-postponed"),
    _a("Yonhap", "2026-03-10 03:00", "Pyongyang Marathon cancelled",
       "The Pyongyang Marathon has been cancelled this year, North Korean state media "
       "reported.\n\nTour operators said refunds would be offered to foreign runners.",
       "marathon-cancelled"),
]

# ----------------------------------------------------------------------------- 5. sanctions
# Sanctions lifted in a deal, then reimposed on a set date (the restriction's own perspective).

EU_BELARUS_POTASH = Situation(
    key="eu-belarus-potash-sanctions",
    title="EU sanctions on Belarusian potash",
    entities=[["EU", "European Union", "Brussels"], ["Belarus", "Belarusian", "Minsk"]],
    facets=["sanctions", "potash"],
)
EU_BELARUS_POTASH_ARTICLES = [
    _a("Reuters", "2025-06-02 16:00", "EU lifts sanctions on Belarusian potash",
       "The European Union lifted sanctions on Belarusian potash exports on Monday as part of a "
       "prisoner release deal, diplomats said.\n\nThe sanctions were first imposed in 2021 "
       "after the forced landing of a Ryanair jet in Minsk.",
       "potash-lifted"),
    _a("DW", "2025-11-14 12:00", "EU to reimpose potash sanctions on Belarus",
       "EU foreign ministers agreed to reimpose the sanctions on Belarusian potash from "
       "January 1, 2026, two diplomats said.\n\nMinsk called the decision hostile.",
       "potash-reimpose"),
    _a("Reuters", "2026-01-02 10:00", "EU potash sanctions back in force",
       "The sanctions on Belarusian potash were reimposed on Thursday, the European Union said "
       "in a statement.",
       "potash-back"),
]

# ----------------------------------------------------------------------------- 6. strike
# A strike announced against a service, called off; the service runs (the service's perspective).

EUROSTAR = Situation(
    key="london-paris-eurostar",
    title="London–Paris Eurostar trains",
    entities=[["London"], ["Paris"]],
    facets=["Eurostar", "train", "trains"],
)
EUROSTAR_ARTICLES = [
    _a("BBC", "2026-05-01 09:00", "Eurostar staff to strike on 8 May",
       "Eurostar train managers will go on strike on 8 May, halting trains between London and "
       "Paris, the RMT union said.\n\nEurostar trains between London and Paris resumed on 17 "
       "January after a tunnel fault halted them for two days.",
       "strike-announced"),
    _a("The Guardian", "2026-05-06 18:00", "Eurostar strike called off",
       "The Eurostar strike planned for 8 May has been called off after the company improved "
       "its pay offer, the union said.\n\nEurostar trains between London and Paris will run as "
       "normal on Friday, the company said.",
       "strike-off"),
    _a("AFP", "2026-05-08 20:00", "Eurostar runs normally",
       "Eurostar trains between London and Paris ran normally on Friday.",
       "normal"),
]

# ----------------------------------------------------------------------------- 7. flights
# Two outlets disagree on the start date; the carrier's date holds and the flight lands.

MOSCOW_PYONGYANG = Situation(
    key="moscow-pyongyang-flights",
    title="Moscow–Pyongyang flights",
    entities=[["Moscow", "Russia", "Russian"], ["Pyongyang", "North Korea", "North Korean"]],
    facets=["flight", "flights", "Aeroflot", "Air Koryo"],
)
MOSCOW_PYONGYANG_ARTICLES = [
    _a("TASS", "2026-06-20 10:00", "Aeroflot to launch Moscow-Pyongyang flights",
       "Aeroflot will launch direct flights between Moscow and Pyongyang on July 27, the "
       "carrier said.",
       "aeroflot-launch"),
    _a("Yonhap", "2026-06-22 05:00", "Moscow-Pyongyang flights expected in August",
       "Direct flights between Moscow and Pyongyang are expected to begin in August, a source "
       "familiar with the matter told Yonhap.",
       "august"),
    _a("Interfax", "2026-07-28 08:00", "First Aeroflot flight lands in Pyongyang",
       "Aeroflot's first flight from Moscow landed in Pyongyang on Monday, Interfax reported.\n\n"
       "Direct flights between Russia and North Korea had been limited to Vladivostok.",
       "landed"),
]

STORIES: dict[str, Story] = {
    "beijing-pyongyang": Story(
        Catalog.load().resolve_situation("beijing-pyongyang"), BEIJING_PYONGYANG_FOLLOW_UP
    ),
    "london-tehran": Story(LONDON_TEHRAN, LONDON_TEHRAN_ARTICLES),
    "dandong-sinuiju": Story(DANDONG_SINUIJU, DANDONG_SINUIJU_ARTICLES),
    "pyongyang-marathon": Story(PYONGYANG_MARATHON, PYONGYANG_MARATHON_ARTICLES),
    "eu-belarus-potash": Story(EU_BELARUS_POTASH, EU_BELARUS_POTASH_ARTICLES),
    "eurostar": Story(EUROSTAR, EUROSTAR_ARTICLES),
    "moscow-pyongyang": Story(MOSCOW_PYONGYANG, MOSCOW_PYONGYANG_ARTICLES),
}


# ----------------------------------------------------------------------------- harness


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One database per story (the Beijing-Pyongyang one holds the seed as well)."""
    out = {}
    for name, story in STORIES.items():
        db = open_db(tmp_path_factory.mktemp(name) / "story.db")
        if name == "beijing-pyongyang":
            seed = ROOT / "seeds" / "000_eba980bd3d31b10d.txt"
            ingest_paths(db, [seed], now=at("2026-03-11 12:00"))
        summary = ingest_records(db, story.articles, now=at("2027-01-01 00:00"))
        assert summary.added == len(story.articles), summary
        out[name] = db
    yield out
    for db in out.values():
        db.conn.close()


def status(dbs, name: str, when: str) -> Status:  # type: ignore[no-untyped-def]
    return build_status(dbs[name], STORIES[name].situation, as_of=at(when))


def label(ref) -> str | None:  # type: ignore[no-untyped-def]
    return ref.label() if ref is not None else None


def shape(st: Status) -> tuple[str, str | None, tuple[str, str | None] | None]:
    previous = (st.previous.state, label(st.previous.since)) if st.previous else None
    return st.state, label(st.since), previous


def upcoming(st: Status) -> tuple[str, str | None, bool] | None:
    if st.upcoming is None:
        return None
    return st.upcoming.state, label(st.upcoming.date), st.upcoming.overdue


def timeline(st: Status) -> list[tuple[str | None, str, str]]:
    return [(label(e.date), e.state, e.modality) for e in st.timeline]


def outlets(st: Status, state: str, date: str | None) -> set[str]:
    return {s.outlet for e in st.timeline if e.state == state and label(e.date) == date
            for s in e.sources}


# ----------------------------------------------------------------------------- 1. rail link


def test_rail_first_train_runs(dbs) -> None:  # type: ignore[no-untyped-def]
    before = status(dbs, "beijing-pyongyang", "2026-03-12 23:00")
    assert shape(before) == ("suspended", "2020", ("operating", None))
    assert upcoming(before) == ("operating", "2026-03-12", False)

    after = status(dbs, "beijing-pyongyang", "2026-03-13 05:00")
    assert shape(after) == ("operating", "2026-03-12", ("suspended", "2020"))
    assert after.upcoming is None
    # The plan and the report of it happening merge into one entry with every source.
    assert timeline(after) == [("2020", "suspended", "reported"),
                               ("2026-03-12", "operating", "reported")]
    assert "Yonhap" in outlets(after, "operating", "2026-03-12")
    assert any(c.kind == "silent" for c in after.caveats)
    # Limits on who may travel still hold once trains run.
    assert any(c.kind == "limited" and "tourists" in c.text for c in after.caveats)

    later = status(dbs, "beijing-pyongyang", "2026-03-14 12:00")
    assert {"Yonhap", "Xinhua"} <= outlets(later, "operating", "2026-03-12")
    assert later.confidence > after.confidence > before.confidence
    assert later.newest_report == at("2026-03-13 09:00")


# ----------------------------------------------------------------------------- 2. flights


def test_flights_plan_missed_then_postponed(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "london-tehran", "2026-01-15 12:00")
    assert shape(st) == ("suspended", "October 2024", ("operating", None))
    assert upcoming(st) == ("operating", "2026-02-01", False)

    st = status(dbs, "london-tehran", "2026-01-25 12:00")
    assert outlets(st, "operating", "2026-02-01") == {"Reuters", "BBC"}
    assert any(c.kind == "unconfirmed" and "declined to comment" in c.text for c in st.caveats)

    # The date passes and an outlet reports it did not happen: overdue, never done.
    missed = status(dbs, "london-tehran", "2026-02-05 12:00")
    assert shape(missed)[0] == "suspended"
    assert upcoming(missed) == ("operating", "2026-02-01", True)
    assert any(c.kind == "conflict" and "yet to resume" in c.text for c in missed.caveats)
    assert missed.confidence < status(dbs, "london-tehran", "2026-01-25 12:00").confidence

    # Postponed indefinitely: no longer upcoming; still suspended since 2024.
    st = status(dbs, "london-tehran", "2026-02-12 12:00")
    assert shape(st) == ("suspended", "October 2024", ("operating", None))
    assert st.upcoming is None
    assert ("2026-02-01", "operating", "planned") in timeline(st)


# ----------------------------------------------------------------------------- 3. crossing


def test_crossing_hints_denial_then_opening(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "dandong-sinuiju", "2026-04-05 12:00")
    assert shape(st) == ("suspended", "January 2020", ("operating", None))
    assert st.upcoming is None  # satellite hints are not a plan
    kinds = {c.kind for c in st.caveats}
    assert {"denied", "hedged"} <= kinds
    assert (None, "operating", "hedged") in timeline(st)
    assert (None, "operating", "denied") in timeline(st)
    low = st.confidence

    st = status(dbs, "dandong-sinuiju", "2026-04-21 12:00")
    assert shape(st) == ("operating", "2026-04-20", ("suspended", "January 2020"))
    # The denial was about an earlier claim: history now, not a caveat on the opening.
    assert "denied" not in {c.kind for c in st.caveats}
    assert st.confidence > low

    st = status(dbs, "dandong-sinuiju", "2026-04-23 12:00")
    assert any(c.kind == "limited" and "food and medicine" in c.text for c in st.caveats)


# ----------------------------------------------------------------------------- 4. event


def test_event_postponed_then_cancelled(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "pyongyang-marathon", "2026-01-20 12:00")
    assert shape(st) == ("operating", "April 2025", None)
    assert upcoming(st) == ("operating", "2026-04-05", False)

    st = status(dbs, "pyongyang-marathon", "2026-02-25 12:00")
    assert shape(st) == ("suspended", None, ("operating", "April 2025"))
    assert st.upcoming is None  # the postponement overturns the plan

    for when in ("2026-03-15 12:00", "2026-04-10 12:00"):
        st = status(dbs, "pyongyang-marathon", when)
        assert shape(st) == ("cancelled", "2026", ("suspended", None))
        assert st.upcoming is None  # April 5 passes: the plan is void, not overdue
    assert outlets(st, "cancelled", "2026") == {"North Korean state media (via Yonhap)"}


# ----------------------------------------------------------------------------- 5. sanctions


def test_sanctions_lifted_then_reimposed(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "eu-belarus-potash", "2025-07-01 12:00")
    assert shape(st) == ("cancelled", "2025-06-02", ("operating", "2021"))
    assert st.upcoming is None

    st = status(dbs, "eu-belarus-potash", "2025-12-01 12:00")
    assert upcoming(st) == ("operating", "2026-01-01", False)

    st = status(dbs, "eu-belarus-potash", "2026-01-05 12:00")
    assert shape(st) == ("operating", "2026-01-01", ("cancelled", "2025-06-02"))
    assert st.upcoming is None
    assert timeline(st) == [("2021", "operating", "reported"),
                            ("2025-06-02", "cancelled", "reported"),
                            ("2026-01-01", "operating", "reported")]
    assert outlets(st, "operating", "2026-01-01") == {"DW", "Reuters"}


# ----------------------------------------------------------------------------- 6. strike


def test_strike_called_off_service_runs(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "eurostar", "2026-05-02 12:00")
    assert shape(st) == ("operating", "2026-01-17", ("suspended", None))
    # The strike, seen from the trains it would stop.
    assert upcoming(st) == ("suspended", "2026-05-08", False)

    st = status(dbs, "eurostar", "2026-05-07 12:00")
    # Called off: the strike plan is void; the company says trains run as normal.
    assert upcoming(st) == ("operating", "2026-05-08", False)

    st = status(dbs, "eurostar", "2026-05-09 12:00")
    assert shape(st) == ("operating", "2026-01-17", ("suspended", None))
    assert st.upcoming is None
    assert ("2026-05-08", "suspended", "planned") in timeline(st)
    assert ("2026-05-08", "operating", "reported") in timeline(st)


# ----------------------------------------------------------------------------- 7. flights


def test_conflicting_dates_then_the_carrier_is_right(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "moscow-pyongyang", "2026-06-25 12:00")
    assert st.state == "unknown"
    # The carrier's own date beats an anonymous tip, and the disagreement is shown.
    assert upcoming(st) == ("operating", "2026-07-27", False)
    conflict = [c for c in st.caveats if c.kind == "conflict"]
    assert conflict and "TASS" in conflict[0].text and "Yonhap" in conflict[0].text

    st = status(dbs, "moscow-pyongyang", "2026-07-29 12:00")
    assert shape(st) == ("operating", "2026-07-27", None)
    assert st.upcoming is None
    assert outlets(st, "operating", "2026-07-27") == {"TASS", "Interfax"}
    assert not any(c.kind == "limited" for c in st.caveats)  # "had been limited": history


def test_every_story_cites_its_sources(dbs) -> None:  # type: ignore[no-untyped-def]
    for name in STORIES:
        st = status(dbs, name, "2026-12-31 00:00")
        cited = {s.id for s in st.sources}
        referenced = {s.article_id for e in st.timeline for s in e.sources}
        assert referenced <= cited, name
        assert all(0.0 <= st.confidence <= 1.0 for _ in [st])
