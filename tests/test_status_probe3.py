"""bot.briefing.status, third probe round: shapes of reporting the first two rounds lacked.

A service that resumes and is suspended again; a partial reopening (freight only) before full
service; two outlets contradicting each other on the same day; a plan silently missed, then
done months later; a correction retracting an earlier report; translated state-media copy
with numeric dates; a trade report naming only a city of the country.

The places are real, the events invented. Each expected answer is what a careful analyst would
say from the articles alone, written before the engine was run.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.briefing.status import build_status
from bot.ingest import ingest_records
from bot.models import RawArticle, Reply, Situation, Status
from bot.render import render
from bot.store import open_db
from tests.status_kit import (
    Story,
    at,
    close_all,
    ingest_stories,
    kinds,
    label,
    shape,
    timeline,
    upcoming,
)
from tests.status_kit import article as _a

# ----------------------------------------------------------------------------- 1. flights
# Resumed after thirteen years, suspended again four weeks later, kept suspended.
# 2026-01-05 is a Monday, 2026-01-23 a Friday, 2026-02-17 a Tuesday, 2026-03-09 a Monday.

ISTANBUL_DAMASCUS = Situation(
    key="istanbul-damascus-flights",
    title="Istanbul–Damascus flights",
    entities=[["Istanbul", "Turkey", "Turkish"], ["Damascus", "Syria", "Syrian"]],
    facets=["flight", "flights", "Turkish Airlines", "route"],
)
ISTANBUL_DAMASCUS_ARTICLES = [
    _a(
        "Reuters",
        "2026-01-05 10:00",
        "Turkish Airlines to resume Damascus flights this month",
        "ISTANBUL, Jan 5 (Reuters) - Turkish Airlines will resume flights between Istanbul and "
        "Damascus on January 23, the flag carrier said on Monday, more than 13 years after it "
        "dropped the route at the start of Syria's civil war.\n\n"
        "The airline suspended its flights to Syria in 2012.\n\n"
        "The carrier plans to operate three flights a week at first, a spokesperson said.\n\n"
        "(Reporting by Ezgi Erkoyun; Editing by Jonathan Spicer)",
        "thy-damascus-resume",
    ),
    _a(
        "Anadolu",
        "2026-01-23 16:00",
        "First Turkish Airlines flight in 13 years lands in Damascus",
        "ISTANBUL - Turkish Airlines resumed flights to Damascus on Friday, when flight TK940 "
        "landed at Damascus International Airport with 151 passengers on board.\n\n"
        '"This is a historic day for the region," Transport Minister Abdulkadir Uraloglu said '
        "at a ceremony at Istanbul Airport.\n\n"
        "Anadolu Agency is the state-run news agency of Turkey.",
        "thy-first-flight",
    ),
    _a(
        "AFP",
        "2026-02-18 09:00",
        "Turkish Airlines halts Damascus flights after airport shelling",
        "Turkish Airlines suspended its flights to Damascus on Tuesday after shells struck near "
        "the city's international airport, the carrier said, less than four weeks after it "
        "resumed the route.\n\n"
        "Other airlines, including Qatar Airways, also cancelled flights to Syria.\n\n"
        '"Flights will remain suspended until further notice," a company spokesperson told AFP.',
        "thy-halts",
    ),
    _a(
        "Reuters",
        "2026-03-09 12:00",
        "Turkish Airlines keeps Damascus flights grounded",
        "ISTANBUL, March 9 (Reuters) - Turkish Airlines flights to Damascus will remain "
        "suspended at least until the end of the month, the airline said on Monday, citing the "
        "security situation around the airport.\n\n"
        "The carrier had resumed the route on Jan. 23 after a 13-year gap.",
        "thy-grounded",
    ),
]

# ----------------------------------------------------------------------------- 2. crossing
# Reopened for freight only, then fully, ten days later.
# 2026-04-14 is a Tuesday, 2026-04-16 a Thursday, 2026-04-27 a Monday.

KUZNICA = Situation(
    key="kuznica-bruzgi",
    title="Kuźnica–Bruzgi border crossing",
    entities=[["Poland", "Polish", "Warsaw"], ["Belarus", "Belarusian", "Minsk"]],
    facets=["Kuznica", "Bruzgi", "border crossing", "crossing", "checkpoint"],
)
KUZNICA_ARTICLES = [
    _a(
        "PAP",
        "2026-04-14 11:00",
        "Poland to reopen Kuznica crossing to trucks",
        "WARSAW (PAP) - Poland will reopen the Kuznica-Bruzgi border crossing with Belarus on "
        "Thursday, but only for freight traffic, Interior Minister Tomasz Siemoniak said on "
        "Tuesday.\n\n"
        "The crossing has been closed since November 2021, when thousands of migrants gathered "
        "on the Belarusian side.\n\n"
        "Passenger cars and buses will still have to use the Terespol crossing, the minister "
        "said.",
        "kuznica-trucks",
    ),
    _a(
        "BelTA",
        "2026-04-16 15:00",
        "Movement of trucks restored at Bruzgi checkpoint",
        "Minsk, 16 April (BelTA) - The movement of freight vehicles through the Bruzgi-Kuznica "
        "checkpoint on the Belarusian-Polish border was restored on 16 April, the State Border "
        "Committee informed.\n\n"
        "Only trucks are allowed to use the checkpoint at this stage, the committee specified.",
        "bruzgi-restored",
    ),
    _a(
        "Reuters",
        "2026-04-27 13:00",
        "Poland fully reopens Belarus border crossing to travellers",
        "WARSAW, April 27 (Reuters) - Poland fully reopened the Kuznica crossing on its border "
        "with Belarus on Monday, allowing passenger cars and buses through for the first time "
        "since 2021, the border guard said.\n\n"
        "The crossing reopened to freight trucks on April 16.",
        "kuznica-full",
    ),
]

# ----------------------------------------------------------------------------- 3. border
# Closed after clashes; on one day one side says it reopened, the other that it is still shut;
# it reopens two days later.
# 2026-02-20 is a Friday, 2026-03-03 a Tuesday, 2026-03-05 a Thursday.

TORKHAM = Situation(
    key="torkham",
    title="Torkham border crossing",
    entities=[["Pakistan", "Pakistani", "Islamabad"], ["Afghanistan", "Afghan", "Kabul"]],
    facets=["Torkham", "border crossing", "crossing"],
)
TORKHAM_ARTICLES = [
    _a(
        "Dawn",
        "2026-02-20 18:00",
        "Torkham border closed after exchange of fire",
        "PESHAWAR: The Torkham border crossing between Pakistan and Afghanistan was closed on "
        "Friday after an exchange of fire between border forces, officials said.\n\n"
        "Trade and pedestrian movement were suspended, leaving hundreds of trucks stranded on "
        "both sides.",
        "torkham-closed",
    ),
    _a(
        "Pajhwok",
        "2026-03-03 08:00",
        "Torkham reopens for trade",
        "JALALABAD (Pajhwok): The Torkham crossing reopened on Tuesday morning for trade after a "
        "12-day closure, an official of the customs department in Nangarhar said.",
        "torkham-reopens",
    ),
    _a(
        "Dawn",
        "2026-03-03 14:00",
        "Torkham remains shut as talks stall",
        "LANDI KOTAL: The Torkham border crossing remained closed on Tuesday, contrary to "
        "reports from the Afghan side, as a jirga of tribal elders failed to reach an agreement, "
        "Pakistani officials said.\n\n"
        "Hundreds of trucks were still stranded on both sides of the border.",
        "torkham-shut",
    ),
    _a(
        "Express Tribune",
        "2026-03-06 07:00",
        "Torkham reopens after nearly two weeks",
        "KHYBER: The Torkham border crossing reopened on Thursday after remaining closed for "
        "nearly two weeks, allowing trucks and pedestrians to cross, officials said.\n\n"
        "A jirga on Wednesday agreed to a ceasefire along the border.",
        "torkham-reopens-thursday",
    ),
]

# ----------------------------------------------------------------------------- 4. train
# A restart date announced and restated, then silence; months later the train runs.
# 2026-05-10 is a Sunday, 2026-06-01 a Monday, 2026-09-19 a Saturday.

DHAKA_KOLKATA = Situation(
    key="dhaka-kolkata-train",
    title="Dhaka–Kolkata Maitree Express",
    entities=[["Dhaka", "Bangladesh", "Bangladeshi"], ["Kolkata", "India", "Indian"]],
    facets=["Maitree Express", "train", "trains", "rail"],
)
DHAKA_KOLKATA_ARTICLES = [
    _a(
        "bdnews24",
        "2026-05-10 12:00",
        "Maitree Express to resume from June 1",
        "DHAKA: The Maitree Express between Dhaka and Kolkata will resume from June 1, nearly "
        "two years after services were halted amid political unrest in Bangladesh, the "
        "railways secretary said on Sunday.\n\n"
        "The train, which was suspended in July 2024, will run five days a week.\n\n"
        "Tickets will go on sale next week, officials said.",
        "maitree-june",
    ),
    _a(
        "Daily Star",
        "2026-05-20 09:00",
        "Railway prepares coaches for Maitree restart",
        "Bangladesh Railway is preparing for the June 1 restart of the Maitree Express to "
        "Kolkata, with coaches being serviced at the Dhaka Cantonment station, officials said.",
        "maitree-coaches",
    ),
    _a(
        "Prothom Alo",
        "2026-09-20 10:00",
        "Maitree Express rolls again after two years",
        "The Dhaka-Kolkata Maitree Express resumed on Saturday after a gap of more than two "
        "years, with 312 passengers on board, Bangladesh Railway said.\n\n"
        "The service, originally due to restart on June 1, was delayed by pending security "
        "clearances from India, officials said.",
        "maitree-rolls",
    ),
]

# ----------------------------------------------------------------------------- 5. correction
# Closed after an attack; a wire story says it reopened, then corrects itself; it reopens a
# week later.
# 2026-04-17 is a Friday, 2026-05-04 a Monday, 2026-05-10 a Sunday.

ALLENBY = Situation(
    key="allenby-bridge",
    title="Allenby (King Hussein) Bridge crossing",
    entities=[["Jordan", "Jordanian", "Amman"], ["West Bank", "Israel", "Israeli", "Palestinian"]],
    facets=["Allenby", "King Hussein Bridge", "crossing", "bridge"],
)
ALLENBY_ARTICLES = [
    _a(
        "Times of Israel",
        "2026-04-18 08:00",
        "Allenby crossing closed after shooting attack",
        "The Allenby Bridge crossing between the West Bank and Jordan was closed on Friday after "
        "a shooting attack near the terminal, the Israel Airports Authority said.\n\n"
        "The crossing is the main gateway abroad for West Bank Palestinians.",
        "allenby-closed",
    ),
    _a(
        "AP",
        "2026-05-04 10:00",
        "Allenby crossing reopens to travelers",
        "JERUSALEM (AP) — The Allenby Bridge crossing between the West Bank and Jordan reopened "
        "on Monday to travelers, Palestinian officials said, more than two weeks after it was "
        "shut following a deadly shooting.",
        "allenby-reopens",
    ),
    _a(
        "AP",
        "2026-05-04 18:00",
        "Allenby crossing remains closed, Israel says",
        "JERUSALEM (AP) — The Allenby Bridge crossing between the West Bank and Jordan remains "
        "closed, the Israel Airports Authority said Monday, and no date has been set for its "
        "reopening.\n\n"
        "Correction: An earlier version of this story said the crossing had reopened on Monday. "
        "It has not.",
        "allenby-correction",
    ),
    _a(
        "Petra",
        "2026-05-11 09:00",
        "King Hussein Bridge resumes operations",
        "Amman, May 11 (Petra) -- The King Hussein Bridge crossing resumed receiving travellers "
        "on Sunday 10 May, after a closure of more than three weeks, the Public Security "
        "Directorate said.",
        "khb-resumes",
    ),
]

# ----------------------------------------------------------------------------- 6. state media
# Translated state-media copy, numeric dates, a weekly schedule, a planned maintenance break.
# 2026-02-26 is a Thursday, 2026-03-12 a Thursday.

HANOI_NANNING = Situation(
    key="hanoi-nanning-train",
    title="Hanoi–Nanning passenger train",
    entities=[["Hanoi", "Vietnam", "Vietnamese"], ["Nanning", "China", "Chinese", "Guangxi"]],
    facets=["train", "trains", "railway", "passenger train"],
)
HANOI_NANNING_ARTICLES = [
    _a(
        "VNA",
        "2026-02-26 10:00",
        "Hanoi - Nanning passenger train to resume operation",
        "Hanoi (VNA) - The international passenger train route Hanoi - Nanning (China) will be "
        "resumed from 12 March 2026 after being suspended since the year 2020 due to the "
        "COVID-19 pandemic, according to the Vietnam Railway Corporation (VNR).\n\n"
        "The train will depart from Gia Lam station at 21:20 every Tuesday and Thursday, the "
        "VNR informed.",
        "hn-nn-resume",
    ),
    _a(
        "Xinhua",
        "2026-03-12 11:00",
        "Nanning-Hanoi int'l passenger train service resumes",
        "NANNING, March 12 (Xinhua) -- The Nanning-Hanoi international passenger train resumed "
        "operation on Thursday, as train D8701 departed from Nanning East Railway Station at "
        "8:10 a.m., marking the restoration of cross-border rail passenger service between "
        "China and Vietnam after a suspension of over six years.\n\n"
        "The train is expected to arrive at Hanoi's Gia Lam station after a journey of about "
        "eight hours, according to China Railway Nanning Group Co., Ltd.",
        "nn-hn-resumes",
    ),
    _a(
        "Nhan Dan",
        "2026-03-14 08:00",
        "First international train from Nanning arrives in Hanoi",
        "On the evening of March 12th, the first Nanning - Hanoi international passenger train "
        "arrived at Gia Lam station with 160 passengers, marking the official resumption of the "
        "route.\n\n"
        "Tickets for the trains on 3/17 and 3/19 have been sold out, said the representative of "
        "VNR.",
        "first-train-arrives",
    ),
    _a(
        "VNA",
        "2026-05-20 10:00",
        "Hanoi - Nanning train temporarily suspended for track maintenance",
        "Hanoi (VNA) - The Hanoi - Nanning international passenger train will be temporarily "
        "suspended from 1 June to 15 June, 2026 for maintenance of the railway track on the "
        "Vietnamese section, the VNR informed.\n\n"
        "The train service will resume operation from 16 June.",
        "hn-nn-maintenance",
    ),
]

# ----------------------------------------------------------------------------- 7. city only
# An export ban imposed, its lifting announced, and the lifting confirmed by a trade report that
# names only a port city of the country.
# 2026-04-22 is a Wednesday, 2026-05-20 a Wednesday, 2026-05-25 a Monday.

PALM_OIL = Situation(
    key="indonesia-palm-oil-ban",
    title="Indonesia palm oil export ban",
    entities=[["Indonesia", "Indonesian", "Jakarta"]],
    facets=["palm oil", "export ban", "palm oil exports"],
)
PALM_OIL_ARTICLES = [
    _a(
        "Reuters",
        "2026-04-22 09:00",
        "Indonesia to ban palm oil exports from April 28",
        "JAKARTA, April 22 (Reuters) - Indonesia will ban exports of palm oil from April 28 "
        "until further notice to bring down soaring cooking oil prices, the president said on "
        "Wednesday.\n\n"
        "Indonesia is the world's biggest producer of palm oil.",
        "palm-ban",
    ),
    _a(
        "Bloomberg",
        "2026-05-20 11:00",
        "Indonesia to lift palm oil export ban next week",
        "Indonesia will lift its palm oil export ban on May 25 as domestic cooking oil supplies "
        "have improved, the president said on Wednesday.",
        "palm-lift",
    ),
    _a(
        "The Edge",
        "2026-05-27 06:00",
        "Palm oil shipments pick up",
        "Palm oil shipments resumed from Medan on Monday after the export ban was lifted, "
        "traders said, though buyers remained cautious.",
        "palm-shipments",
    ),
]

STORIES = {
    "istanbul-damascus": Story(ISTANBUL_DAMASCUS, ISTANBUL_DAMASCUS_ARTICLES),
    "kuznica": Story(KUZNICA, KUZNICA_ARTICLES),
    "torkham": Story(TORKHAM, TORKHAM_ARTICLES),
    "dhaka-kolkata": Story(DHAKA_KOLKATA, DHAKA_KOLKATA_ARTICLES),
    "allenby": Story(ALLENBY, ALLENBY_ARTICLES),
    "hanoi-nanning": Story(HANOI_NANNING, HANOI_NANNING_ARTICLES),
    "palm-oil": Story(PALM_OIL, PALM_OIL_ARTICLES),
}


@pytest.fixture(scope="module")
def dbs(tmp_path_factory):  # type: ignore[no-untyped-def]
    out = ingest_stories(tmp_path_factory, STORIES)
    yield out
    close_all(out)


def status(dbs, name: str, when: str) -> Status:  # type: ignore[no-untyped-def]
    st = build_status(dbs[name], STORIES[name].situation, as_of=at(when))
    # Every answer renders, as the console shows it.
    [text] = render(Reply("status", st), "text")
    assert st.title in text
    return st


# ----------------------------------------------------------------------------- 1. flights


def test_flights_resume_then_suspended_again(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "istanbul-damascus", "2026-01-10 12:00")
    assert shape(st) == ("suspended", "2012", ("operating", None))
    assert upcoming(st) == ("operating", "2026-01-23", False)

    st = status(dbs, "istanbul-damascus", "2026-01-25 12:00")
    assert shape(st) == ("operating", "2026-01-23", ("suspended", "2012"))
    assert st.upcoming is None

    # Other airlines cancelling flights to Syria is not this route's state.
    st = status(dbs, "istanbul-damascus", "2026-02-20 12:00")
    assert shape(st) == ("suspended", "2026-02-17", ("operating", "2026-01-23"))
    assert st.upcoming is None
    assert "cancelled" not in {s for _, s, _ in timeline(st)}

    # "Will remain suspended at least until the end of the month" is no restart date.
    st = status(dbs, "istanbul-damascus", "2026-03-10 12:00")
    assert shape(st) == ("suspended", "2026-02-17", ("operating", "2026-01-23"))
    assert st.upcoming is None or st.upcoming.date.value >= dt.date(2026, 3, 31)

    # April, nothing newer: still suspended, and nothing promised to be overdue.
    st = status(dbs, "istanbul-damascus", "2026-04-20 12:00")
    assert shape(st)[:2] == ("suspended", "2026-02-17")
    assert not (st.upcoming and st.upcoming.overdue)


# ----------------------------------------------------------------------------- 2. crossing


def test_crossing_freight_only_then_full(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "kuznica", "2026-04-15 12:00")
    assert shape(st) == ("suspended", "November 2021", ("operating", None))
    assert upcoming(st) == ("operating", "2026-04-16", False)
    assert "limited" in kinds(st)

    st = status(dbs, "kuznica", "2026-04-20 12:00")
    assert shape(st) == ("operating", "2026-04-16", ("suspended", "November 2021"))
    assert st.upcoming is None
    assert "limited" in kinds(st)

    # Fully reopened: the freight-only limit is history.
    st = status(dbs, "kuznica", "2026-04-28 12:00")
    assert st.state == "operating"
    assert label(st.since) in {"2026-04-16", "2026-04-27"}
    assert st.previous == st.previous and st.previous is not None
    assert (st.previous.state, label(st.previous.since)) == ("suspended", "November 2021")
    assert "limited" not in kinds(st), st.caveats


# ----------------------------------------------------------------------------- 3. border


def test_same_day_conflict_then_resolved(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "torkham", "2026-02-25 12:00")
    assert shape(st) == ("suspended", "2026-02-20", ("operating", None))

    # One side says it reopened, the other, later that day and expressly contradicting it,
    # that it is still shut: still closed, and the conflict shown.
    st = status(dbs, "torkham", "2026-03-03 20:00")
    assert st.state == "suspended"
    assert "conflict" in kinds(st)

    st = status(dbs, "torkham", "2026-03-07 12:00")
    assert shape(st) == ("operating", "2026-03-05", ("suspended", "2026-02-20"))
    assert st.upcoming is None


# ----------------------------------------------------------------------------- 4. train


def test_plan_silently_missed_then_done_months_later(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "dhaka-kolkata", "2026-05-25 12:00")
    assert shape(st) == ("suspended", "July 2024", ("operating", None))
    assert upcoming(st) == ("operating", "2026-06-01", False)

    st = status(dbs, "dhaka-kolkata", "2026-06-15 12:00")
    assert shape(st)[:2] == ("suspended", "July 2024")
    assert upcoming(st) == ("operating", "2026-06-01", True)

    st = status(dbs, "dhaka-kolkata", "2026-08-30 12:00")
    assert shape(st)[:2] == ("suspended", "July 2024")
    assert upcoming(st) == ("operating", "2026-06-01", True)
    assert st.confidence < 0.5

    st = status(dbs, "dhaka-kolkata", "2026-09-21 12:00")
    assert shape(st) == ("operating", "2026-09-19", ("suspended", "July 2024"))
    assert st.upcoming is None
    # The June 1 plan was never carried out on June 1.
    assert ("2026-06-01", "operating", "reported") not in timeline(st)


# ----------------------------------------------------------------------------- 5. correction


def test_correction_retracts_earlier_report(dbs) -> None:  # type: ignore[no-untyped-def]
    # Before the correction, the wire report stands.
    st = status(dbs, "allenby", "2026-05-04 12:00")
    assert shape(st)[:2] == ("operating", "2026-05-04")

    # Corrected: it never reopened on Monday.
    st = status(dbs, "allenby", "2026-05-05 12:00")
    assert shape(st)[:2] == ("suspended", "2026-04-17")
    assert ("2026-05-04", "operating", "reported") not in timeline(st)
    assert st.upcoming is None

    st = status(dbs, "allenby", "2026-05-12 12:00")
    assert shape(st) == ("operating", "2026-05-10", ("suspended", "2026-04-17"))
    assert ("2026-05-04", "operating", "reported") not in timeline(st)


# ----------------------------------------------------------------------------- 6. state media


def test_state_media_numeric_dates(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "hanoi-nanning", "2026-03-01 12:00")
    assert shape(st) == ("suspended", "2020", ("operating", None))
    assert upcoming(st) == ("operating", "2026-03-12", False)

    st = status(dbs, "hanoi-nanning", "2026-03-15 12:00")
    assert shape(st) == ("operating", "2026-03-12", ("suspended", "2020"))
    assert st.upcoming is None
    # "every Tuesday and Thursday" and "the trains on 3/17" are no changes.
    assert all(d in ("2026-03-12", "2020") for d, _, _ in timeline(st)), timeline(st)

    st = status(dbs, "hanoi-nanning", "2026-05-25 12:00")
    assert shape(st)[:2] == ("operating", "2026-03-12")
    assert upcoming(st) == ("suspended", "2026-06-01", False)


# ----------------------------------------------------------------------------- 7. city only


def test_ban_lifting_confirmed_by_city_only_report(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "palm-oil", "2026-04-25 12:00")
    assert st.state != "cancelled"
    assert upcoming(st) == ("operating", "2026-04-28", False)

    st = status(dbs, "palm-oil", "2026-05-21 12:00")
    assert shape(st)[:2] == ("operating", "2026-04-28")
    assert upcoming(st) == ("cancelled", "2026-05-25", False)

    # "Shipments resumed from Medan ... after the export ban was lifted": Medan is in Indonesia.
    st = status(dbs, "palm-oil", "2026-05-28 12:00")
    assert shape(st) == ("cancelled", "2026-05-25", ("operating", "2026-04-28"))
    assert st.upcoming is None


# ----------------------------------------------------------------------------- focused units
# One per engine fix the stories above exposed, on minimal invented copy.


def _one(tmp_path, sit: Situation, articles: list[RawArticle], when: str) -> Status:  # type: ignore[no-untyped-def]
    db = open_db(tmp_path / "unit.db")
    ingest_records(db, articles, now=at("2027-01-01 00:00"))
    try:
        return build_status(db, sit, as_of=at(when))
    finally:
        db.conn.close()


FERRY = Situation(
    key="a-b-ferry",
    title="Aland–Bornholm ferry",
    entities=[["Aland"], ["Bornholm"]],
    facets=["ferry", "ferries", "sailings"],
)


def test_key_facet_names_the_situation() -> None:
    from bot.analysis.relevance import SituationMatcher, key_facet_names

    assert key_facet_names(TORKHAM) == ["Torkham"]
    assert key_facet_names(ALLENBY) == ["Allenby", "King Hussein Bridge"]
    # A carrier listed among the facets, not in the title, may fly other routes.
    assert key_facet_names(ISTANBUL_DAMASCUS) == []
    m = SituationMatcher.build(TORKHAM)
    assert m.about("Torkham reopens for trade", ["The Torkham crossing reopened on Tuesday."])


def test_city_names_its_country_in_relevance() -> None:
    from bot.analysis.relevance import SituationMatcher

    m = SituationMatcher.build(PALM_OIL)
    assert m.about("Shipments pick up", ["Palm oil shipments resumed from Medan on Monday."])
    # A city of another country is not the situation's.
    assert not m.about("Shipments pick up", ["Palm oil shipments resumed from Chennai."])
    # City-defined situations do not widen to every city of the country.
    d = SituationMatcher.build(
        Situation("dandong-sinuiju", "Dandong–Sinuiju", [["Dandong"], ["Sinuiju"]], ["bridge"])
    )
    assert d.group_codes == [frozenset(), frozenset()]


def test_derived_year_joins_the_named_year(tmp_path) -> None:  # type: ignore[no-untyped-def]
    st = _one(
        tmp_path,
        FERRY,
        [
            _a(
                "X",
                "2026-01-05 10:00",
                "Ferry to resume",
                "Ferry sailings between Aland and Bornholm were suspended in 2012.",
                "a",
            ),
            _a(
                "Y",
                "2026-01-06 10:00",
                "Ferry back",
                "Ferry sailings between Aland and Bornholm resumed on Monday after a 13-year gap.",
                "b",
            ),
        ],
        "2026-01-07 12:00",
    )
    assert [d for d, s, _ in timeline(st) if s == "suspended"] == ["2012"]


def test_later_same_day_report_overrules_the_earlier(tmp_path) -> None:  # type: ignore[no-untyped-def]
    arts = [
        _a(
            "X",
            "2026-03-01 10:00",
            "Ferry halted",
            "Ferry sailings between Aland and Bornholm were suspended on Sunday.",
            "a",
        ),
        _a(
            "Y",
            "2026-03-03 08:00",
            "Ferry back",
            "Ferry sailings between Aland and Bornholm resumed on Tuesday.",
            "b",
        ),
        _a(
            "Z",
            "2026-03-03 14:00",
            "Ferry still halted",
            "Ferry sailings between Aland and Bornholm remained suspended on Tuesday.",
            "c",
        ),
    ]
    st = _one(tmp_path, FERRY, arts, "2026-03-03 20:00")
    assert shape(st)[:2] == ("suspended", "2026-03-01")
    assert "conflict" in kinds(st)


def test_full_service_report_ends_a_limit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    arts = [
        _a(
            "X",
            "2026-04-16 10:00",
            "Ferry back",
            "Ferry sailings between Aland and Bornholm "
            "resumed on Thursday. Only freight is allowed on the ferries at this stage.",
            "a",
        ),
        _a(
            "Y",
            "2026-04-27 10:00",
            "Ferry full",
            "Ferry sailings between Aland and Bornholm fully resumed on Monday.",
            "b",
        ),
    ]
    db = open_db(tmp_path / "full.db")
    ingest_records(db, arts, now=at("2027-01-01 00:00"))
    later = build_status(db, FERRY, as_of=at("2026-04-28 12:00"))
    earlier = build_status(db, FERRY, as_of=at("2026-04-20 12:00"))
    db.conn.close()
    assert "limited" in kinds(earlier)
    assert "limited" not in kinds(later)
    # A second report of the same state backs the answer: confidence does not fall.
    assert later.confidence >= earlier.confidence


def test_correction_retracts_the_outlets_own_report(tmp_path) -> None:  # type: ignore[no-untyped-def]
    arts = [
        _a(
            "X",
            "2026-05-01 10:00",
            "Ferry halted",
            "Ferry sailings between Aland and Bornholm were suspended on Friday.",
            "a",
        ),
        _a(
            "AP",
            "2026-05-04 10:00",
            "Ferry back",
            "Ferry sailings between Aland and Bornholm resumed on Monday.",
            "b",
        ),
        _a(
            "AP",
            "2026-05-04 18:00",
            "Ferry still halted",
            "Ferry sailings between Aland and "
            "Bornholm remain suspended. Correction: An earlier version of this story said the "
            "ferry sailings had resumed on Monday.",
            "c",
        ),
    ]
    st = _one(tmp_path, FERRY, arts, "2026-05-05 12:00")
    assert shape(st)[:2] == ("suspended", "2026-05-01")
    assert ("2026-05-04", "operating", "reported") not in timeline(st)


def test_undated_report_after_a_plan_date_reports_the_plan_and_presupposes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    sit = Situation("x-ban", "Ruritania ferry ban", [["Ruritania", "Ruritanian"]], ["ferry ban"])
    arts = [
        _a(
            "X",
            "2026-04-22 10:00",
            "Ban coming",
            "Ruritania will impose a ferry ban from April 28, the ministry said.",
            "a",
        ),
        _a(
            "Y",
            "2026-05-20 10:00",
            "Ban to go",
            "Ruritania will lift its ferry ban on May 25, the ministry said.",
            "b",
        ),
        _a(
            "Z",
            "2026-05-27 10:00",
            "Ban gone",
            "Ruritanian ferries sailed again after the ferry ban was lifted, operators said.",
            "c",
        ),
    ]
    st = _one(tmp_path, sit, arts, "2026-05-28 12:00")
    assert st.state == "cancelled" and label(st.since) == "2026-05-25"
    assert st.upcoming is None
