"""bot.briefing.status on seven more multi-outlet stories, written as wire and newspaper copy.

Each story has datelines, quotes, background paragraphs, boilerplate, relative dates ("on
Tuesday", "next month", "last week"), hedges, denials, plans that slip and later reports that
overturn earlier plans. The places are real, the events invented. The expected answers are what
a careful analyst would say from the articles alone, written before the engine was run.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.briefing.status import build_status
from bot.models import Situation, Status
from tests.status_kit import (
    Story,
    at,
    close_all,
    ingest_stories,
    kinds,
    label,
    outlets,
    shape,
    timeline,
    upcoming,
)
from tests.status_kit import article as _a

# ----------------------------------------------------------------------------- 1. crossing
# A land border closed for three decades: an announced opening "next month", a hedged "coming
# weeks", a missed date and a postponement, then the first crossing, for foreigners only.
# 2026-02-10 is a Tuesday; 2026-04-09 a Thursday.

ARMENIA_TURKEY = Situation(
    key="armenia-turkey-border",
    title="Armenia–Turkey border crossing",
    entities=[["Armenia", "Armenian", "Yerevan"], ["Turkey", "Turkish", "Ankara", "Türkiye"]],
    facets=["border crossing", "border gate", "crossing", "checkpoint", "Margara", "Alican"],
)
ARMENIA_TURKEY_ARTICLES = [
    _a(
        "Reuters",
        "2026-02-10 11:20",
        "Armenia says border crossing with Turkey to open next month",
        "YEREVAN, Feb 10 (Reuters) - Armenia and Turkey will open the Margara-Alican border "
        "crossing to third-country nationals and holders of diplomatic passports next month, "
        "Armenia's foreign ministry said on Tuesday.\n\n"
        "The land border between the two countries has been closed since 1993, when Turkey shut "
        "it in solidarity with Azerbaijan during the first war over Nagorno-Karabakh.\n\n"
        '"Technical preparations are almost complete," ministry spokeswoman Ani Badalyan told '
        "reporters. She did not give an exact date.\n\n"
        "The two countries, which have no diplomatic relations, appointed special envoys in "
        "2021 to normalise ties.\n\n"
        "(Reporting by Felix Light; Editing by Mark Trevelyan)",
        "armenia-turkey-next-month",
    ),
    _a(
        "Anadolu",
        "2026-02-24 09:00",
        "Talks on Alican border gate continue",
        "ANKARA - Talks on the technical details of opening the Alican border gate with Armenia "
        "are continuing, a Turkish foreign ministry source said on Tuesday.\n\n"
        "The crossing could open to third-country nationals in the coming weeks, the source "
        "said, speaking on condition of anonymity.",
        "alican-talks",
    ),
    _a(
        "Azatutyun",
        "2026-03-16 14:00",
        "Armenian-Turkish border opening postponed",
        "The opening of the Margara checkpoint on the Armenian-Turkish border has been postponed "
        "until April for technical reasons, Armenia's deputy foreign minister said on Monday.\n\n"
        "The crossing had been expected to open early this month.\n\n"
        "Customs buildings on the Armenian side were renovated last year with funding from the "
        "European Union.",
        "margara-postponed",
    ),
    _a(
        "AFP",
        "2026-04-09 16:45",
        "Armenia-Turkey border crossing opens for first time in three decades",
        "MARGARA, Armenia (AFP) - The border crossing between Armenia and Turkey opened on "
        "Thursday for the first time in more than three decades, as a handful of diplomats and "
        "foreign travellers crossed on foot, AFP journalists at the scene saw.\n\n"
        "Armenian and Turkish citizens are not yet allowed to use the crossing, officials "
        "said.\n\n"
        "Azerbaijan's foreign ministry declined to comment.",
        "crossing-opens",
    ),
]

# ----------------------------------------------------------------------------- 2. airline
# A route suspended "until" a date, the suspension extended, a hedged restart date, then the
# first flight back. 2026-01-05 is a Monday; 2026-02-01 a Sunday.

FRANKFURT_TEL_AVIV = Situation(
    key="frankfurt-tel-aviv-flights",
    title="Frankfurt–Tel Aviv flights",
    entities=[["Frankfurt", "Germany", "German"], ["Tel Aviv", "Israel", "Israeli"]],
    facets=["flight", "flights", "Lufthansa", "route"],
)
FRANKFURT_TEL_AVIV_ARTICLES = [
    _a(
        "dpa",
        "2026-01-05 13:10",
        "Lufthansa suspends Tel Aviv flights",
        "FRANKFURT (dpa) - Lufthansa has suspended its flights between Frankfurt and Tel Aviv "
        "until January 18 because of the security situation in the region, the airline said on "
        "Monday.\n\n"
        "Passengers booked on cancelled flights can rebook free of charge or receive a refund, "
        "a spokesman said.\n\n"
        "Lufthansa resumed flights to Tel Aviv in September after a previous suspension.",
        "lufthansa-suspends",
    ),
    _a(
        "Reuters",
        "2026-01-15 17:30",
        "Lufthansa extends Tel Aviv flight suspension to end of January",
        "FRANKFURT, Jan 15 (Reuters) - Lufthansa Group said on Thursday it would extend the "
        "suspension of its flights between Frankfurt and Tel Aviv until January 31, citing the "
        "security situation.\n\n"
        "Other European carriers, including Air France and KLM, have also paused flights to "
        "Israel this month.",
        "lufthansa-extends",
    ),
    _a(
        "Times of Israel",
        "2026-01-29 08:00",
        "Lufthansa expected back at Ben Gurion on Sunday",
        "Lufthansa is expected to resume its Frankfurt-Tel Aviv flights on Sunday, sources at "
        "Ben Gurion Airport said, though the airline has not confirmed the date.",
        "lufthansa-expected",
    ),
    _a(
        "Reuters",
        "2026-02-02 07:40",
        "Lufthansa resumes Tel Aviv flights",
        "FRANKFURT, Feb 2 (Reuters) - Lufthansa resumed flights between Frankfurt and Tel Aviv "
        "on Sunday, with the first flight landing at Ben Gurion Airport in the afternoon, the "
        "airline said.\n\n"
        "Lufthansa will operate one daily flight on the route, down from three before the "
        "suspension, a spokeswoman said.",
        "lufthansa-resumes",
    ),
]

# ----------------------------------------------------------------------------- 3. bridge
# A bridge closed for repairs on a set date; the reopening date slips by a month; it reopens.
# 2026-03-02 and 2026-03-16 are Mondays; 2026-06-14 is a Sunday.

KESSOCK = Situation(
    key="kessock-bridge",
    title="Kessock Bridge",
    entities=[["Inverness", "Kessock"]],
    facets=["Kessock Bridge", "bridge"],
)
KESSOCK_ARTICLES = [
    _a(
        "BBC",
        "2026-03-02 10:00",
        "Kessock Bridge to close for eight weeks",
        "The Kessock Bridge in Inverness will close to traffic from 16 March for eight weeks of "
        "emergency repairs to its expansion joints, Transport Scotland has said.\n\n"
        "Drivers face a diversion of about 40 miles via Beauly.\n\n"
        "The bridge, which carries the A9 over the Beauly Firth, opened in 1982 and is used by "
        "about 30,000 vehicles a day.",
        "kessock-to-close",
    ),
    _a(
        "Press and Journal",
        "2026-03-16 12:30",
        "Kessock Bridge closes as repairs begin",
        "The Kessock Bridge closed at 7am on Monday as planned, with long queues reported on the "
        "diversion route through Beauly.\n\n"
        "Transport Scotland said the bridge would reopen on 11 May.",
        "kessock-closes",
    ),
    _a(
        "Inverness Courier",
        "2026-04-28 15:00",
        "Kessock Bridge reopening pushed back to June",
        "The reopening of the Kessock Bridge has been pushed back by a month after engineers "
        "found more corrosion than expected, Transport Scotland said on Tuesday.\n\n"
        "The bridge is now due to reopen in mid-June.\n\n"
        "Local businesses said the delay would cost them thousands of pounds.",
        "kessock-delayed",
    ),
    _a(
        "BBC",
        "2026-06-15 08:00",
        "Kessock Bridge reopens after three months",
        "The Kessock Bridge reopened to traffic on Sunday evening, three months after it closed "
        "for repairs.\n\n"
        "A 40mph speed limit will remain in place on the bridge until the end of July while "
        "finishing works continue, Transport Scotland said.",
        "kessock-reopens",
    ),
]

# ----------------------------------------------------------------------------- 4. festival
# A festival set for November, postponed to next March, then cancelled outright.
# 2026-09-15 and 2026-10-20 are Tuesdays.

SANTIAGO_FESTIVAL = Situation(
    key="primavera-santiago",
    title="Primavera Sound Santiago",
    entities=[["Santiago", "Chile", "Chilean"]],
    facets=["Primavera Sound", "festival"],
)
SANTIAGO_FESTIVAL_ARTICLES = [
    _a(
        "La Tercera",
        "2026-05-12 12:00",
        "Primavera Sound Santiago announces November dates",
        "Primavera Sound Santiago will be held on November 7 and 8 at Parque Cerrillos, the "
        "organisers announced on Tuesday.\n\n"
        "Tickets go on sale next week.",
        "primavera-dates",
    ),
    _a(
        "EFE",
        "2026-09-15 18:00",
        "Primavera Sound Santiago postponed to March",
        "SANTIAGO (EFE) - The organisers of Primavera Sound Santiago have postponed this year's "
        "edition to March 2027, citing logistical and financial difficulties, according to a "
        "statement published on Tuesday.\n\n"
        "Tickets already purchased will remain valid for the new dates, the statement said.",
        "primavera-postponed",
    ),
    _a(
        "Billboard",
        "2026-10-20 21:00",
        "Primavera Sound Santiago cancelled",
        "Primavera Sound Santiago has been cancelled, the festival said on Tuesday, five weeks "
        "after it postponed its 2026 edition to next March.\n\n"
        "Organisers said all ticket holders would be refunded within 30 days.\n\n"
        "The festival, which made its Chilean debut in 2022, did not say whether it would "
        "return in 2027.",
        "primavera-cancelled",
    ),
]

# ----------------------------------------------------------------------------- 5. port strike
# A strike from its own perspective: called for Wednesday, begins, is extended (a claim the
# port authority had not been notified of), then is called off early.
# 2026-06-01 is a Monday; 2026-06-07 a Sunday.

ANTWERP_STRIKE = Situation(
    key="antwerp-port-strike",
    title="Antwerp dockworkers' strike",
    entities=[["Antwerp", "Antwerp-Bruges", "Belgium", "Belgian"]],
    facets=["strike", "dockworkers"],
)
ANTWERP_STRIKE_ARTICLES = [
    _a(
        "Reuters",
        "2026-06-01 15:00",
        "Belgian dockworkers to strike at Antwerp on Wednesday",
        "BRUSSELS, June 1 (Reuters) - Belgian dockworkers will stage a 48-hour strike at the "
        "port of Antwerp-Bruges starting on Wednesday to protest against pension reforms, the "
        "unions said on Monday.\n\n"
        "The port, Europe's second-largest, handled 271 million tonnes of cargo last year.",
        "antwerp-strike-called",
    ),
    _a(
        "Belga",
        "2026-06-03 10:00",
        "Antwerp port strike begins",
        "The strike at the port of Antwerp-Bruges began on Wednesday morning, with dozens of "
        "ships unable to enter or leave, the port authority said.",
        "antwerp-strike-begins",
    ),
    _a(
        "Lloyd's List",
        "2026-06-05 16:00",
        "Antwerp strike extended to Monday",
        "Unions have extended the strike at Antwerp-Bruges until Monday, a union official said "
        "on Friday, though the port authority said it had not been notified.\n\n"
        "More than 80 vessels were waiting at anchor off the Belgian coast.",
        "antwerp-strike-extended",
    ),
    _a(
        "De Tijd",
        "2026-06-07 19:00",
        "Unions call off Antwerp port strike",
        "Unions called off the strike at the port of Antwerp-Bruges on Sunday after the "
        "government agreed to reopen talks on the pension reform, a union spokesman said.\n\n"
        "Work will resume with Monday morning's shift, the port said.",
        "antwerp-strike-off",
    ),
]

# ----------------------------------------------------------------------------- 6. export ban
# A ban from its own perspective: anonymous officials say it "could" be lifted, the ministry
# denies it, a notification lifts it from a set date, traders say it ended.
# 2026-01-12 is a Monday; 2026-03-20 a Friday.

ONION_BAN = Situation(
    key="india-onion-export-ban",
    title="India onion export ban",
    entities=[["India", "Indian", "New Delhi"]],
    facets=["onion exports", "export ban", "onion"],
)
ONION_BAN_ARTICLES = [
    _a(
        "Reuters",
        "2026-01-12 09:30",
        "India could lift onion export ban as prices ease, officials say",
        "NEW DELHI, Jan 12 (Reuters) - India could lift its ban on onion exports as early as "
        "next month as prices have eased after a bumper harvest, two government officials said "
        "on Monday, declining to be named.\n\n"
        "India banned onion exports in December 2025 to cool domestic prices, which had nearly "
        "tripled in three months.",
        "onion-could-lift",
    ),
    _a(
        "PTI",
        "2026-01-14 13:00",
        "No proposal to lift onion export ban: secretary",
        "NEW DELHI (PTI) - The government has no proposal to lift the ban on onion exports, the "
        "consumer affairs secretary said on Wednesday, dismissing media reports.\n\n"
        '"The ban will continue until domestic supply is comfortable," he told reporters.',
        "onion-no-proposal",
    ),
    _a(
        "Reuters",
        "2026-03-20 12:00",
        "India to lift onion export ban from April 1",
        "NEW DELHI, March 20 (Reuters) - India will lift its ban on onion exports from April 1, "
        "the Directorate General of Foreign Trade said in a notification on Friday, but "
        "exporters will have to pay a 20% export duty.",
        "onion-lift-april",
    ),
    _a(
        "Hindu BusinessLine",
        "2026-04-06 10:00",
        "Onion shipments pick up slowly after export ban ends",
        "Onion shipments resumed from Nashik last week after the export ban ended on April 1, "
        "traders said, although volumes remain low because of the 20% duty.",
        "onion-shipments",
    ),
]

# ----------------------------------------------------------------------------- 7. ferry
# Storm damage closes a ferry port; a restart date is given, then pushed back; ferries return.
# 2025-12-08 is a Monday; 2026-01-15 a Thursday.

HOLYHEAD_DUBLIN = Situation(
    key="holyhead-dublin-ferries",
    title="Holyhead–Dublin ferries",
    entities=[["Holyhead", "Anglesey"], ["Dublin", "Ireland", "Irish"]],
    facets=["ferry", "ferries", "sailings", "Stena Line", "Irish Ferries"],
)
HOLYHEAD_DUBLIN_ARTICLES = [
    _a(
        "BBC",
        "2025-12-08 09:00",
        "Holyhead ferries suspended after storm damage",
        "Ferry sailings between Holyhead and Dublin have been suspended after a storm damaged a "
        "berth at the Anglesey port on Saturday, Stena Line said.\n\n"
        "The port's owner said it was too early to say when sailings would resume.\n\n"
        "Passengers have been advised to travel via Liverpool or Fishguard.",
        "holyhead-suspended",
    ),
    _a(
        "Irish Times",
        "2025-12-12 16:00",
        "Stena Line plans Holyhead restart next week",
        "Stena Line said on Friday it expected to resume sailings between Dublin and Holyhead on "
        "December 19, although the port authority cautioned that the date depended on repairs "
        "to the damaged berth.",
        "holyhead-restart-plan",
    ),
    _a(
        "Daily Post",
        "2025-12-18 11:00",
        "Holyhead reopening delayed until January",
        "The reopening of Holyhead port to ferries from Dublin has been delayed until January 15 "
        "after engineers found further damage, Stena Line said on Thursday.\n\n"
        "Irish Ferries said its sailings would remain suspended until at least the same date.",
        "holyhead-delayed",
    ),
    _a(
        "RTE",
        "2026-01-16 07:00",
        "Ferries return to Holyhead",
        "Ferries returned to Holyhead on Thursday for the first time in almost six weeks, with "
        "the first Stena Line sailing from Dublin arriving shortly after noon.\n\n"
        "Stena Line said it would run a reduced timetable of two sailings a day until the "
        "second berth is repaired.",
        "holyhead-return",
    ),
]

STORIES: dict[str, Story] = {
    "armenia-turkey": Story(ARMENIA_TURKEY, ARMENIA_TURKEY_ARTICLES),
    "frankfurt-tel-aviv": Story(FRANKFURT_TEL_AVIV, FRANKFURT_TEL_AVIV_ARTICLES),
    "kessock": Story(KESSOCK, KESSOCK_ARTICLES),
    "santiago-festival": Story(SANTIAGO_FESTIVAL, SANTIAGO_FESTIVAL_ARTICLES),
    "antwerp-strike": Story(ANTWERP_STRIKE, ANTWERP_STRIKE_ARTICLES),
    "onion-ban": Story(ONION_BAN, ONION_BAN_ARTICLES),
    "holyhead-dublin": Story(HOLYHEAD_DUBLIN, HOLYHEAD_DUBLIN_ARTICLES),
}


# ----------------------------------------------------------------------------- harness


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = ingest_stories(tmp_path_factory, STORIES)
    yield out
    close_all(out)


def status(dbs, name: str, when: str) -> Status:  # type: ignore[no-untyped-def]
    return build_status(dbs[name], STORIES[name].situation, as_of=at(when))


# ----------------------------------------------------------------------------- 1. crossing


def test_crossing_announced_slips_then_opens(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "armenia-turkey", "2026-02-12 12:00")
    assert shape(st) == ("suspended", "1993", ("operating", None))
    assert upcoming(st) == ("operating", "March 2026", False)

    # "could open in the coming weeks" from an anonymous source is a hedge, not a new plan.
    st = status(dbs, "armenia-turkey", "2026-02-25 12:00")
    assert upcoming(st) == ("operating", "March 2026", False)
    assert "hedged" in kinds(st)

    # Postponed until April: the March plan is void, April is the new one.
    st = status(dbs, "armenia-turkey", "2026-03-20 12:00")
    assert shape(st)[:2] == ("suspended", "1993")
    assert upcoming(st) == ("operating", "April 2026", False)

    st = status(dbs, "armenia-turkey", "2026-04-10 12:00")
    assert shape(st) == ("operating", "2026-04-09", ("suspended", "1993"))
    assert st.upcoming is None
    # "AFP journalists at the scene saw" in an AFP story is AFP's own reporting, no relay.
    assert "AFP" in outlets(st, "operating", "2026-04-09")
    assert not any("via AFP" in o for o in outlets(st, "operating", "2026-04-09"))
    assert any(c.kind == "limited" and "not yet allowed" in c.text for c in st.caveats)


# ----------------------------------------------------------------------------- 2. airline


def test_route_suspended_extended_then_resumed(dbs) -> None:  # type: ignore[no-untyped-def]
    # "has suspended ..., the airline said on Monday": the report gives no date of its own
    # (the engine leaves it undated rather than guess the publication day).
    st = status(dbs, "frankfurt-tel-aviv", "2026-01-06 12:00")
    assert shape(st) == ("suspended", None, ("operating", "September 2025"))

    # Extended until January 31: still suspended, no restart before February; "to end of
    # January" is when the suspension ends, not when it began.
    st = status(dbs, "frankfurt-tel-aviv", "2026-01-20 12:00")
    assert shape(st)[:2] == ("suspended", None)
    assert ("January 2026", "suspended", "reported") not in timeline(st)
    # Other carriers pausing flights to Israel is not this route.
    assert all(
        s.outlet != "Reuters" or "Other" not in s.sentence for e in st.timeline for s in e.sources
    )
    assert st.upcoming is None or st.upcoming.date.value >= dt.date(2026, 1, 31)
    assert not (st.upcoming and st.upcoming.overdue)

    # "is expected to ... sources said, though the airline has not confirmed": a hedge.
    st = status(dbs, "frankfurt-tel-aviv", "2026-01-30 12:00")
    assert shape(st)[0] == "suspended"
    assert kinds(st) & {"unconfirmed", "hedged"}

    st = status(dbs, "frankfurt-tel-aviv", "2026-02-03 12:00")
    assert shape(st) == ("operating", "2026-02-01", ("suspended", None))
    assert st.upcoming is None
    assert "Reuters" in outlets(st, "operating", "2026-02-01")
    # Once it happened, the doubts about the restart date are history.
    assert "unconfirmed" not in kinds(st)


# ----------------------------------------------------------------------------- 3. bridge


def test_bridge_closes_reopening_slips_then_reopens(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "kessock", "2026-03-05 12:00")
    assert shape(st) == ("operating", "1982", None)
    assert upcoming(st) == ("suspended", "2026-03-16", False)

    st = status(dbs, "kessock", "2026-03-20 12:00")
    assert shape(st) == ("suspended", "2026-03-16", ("operating", "1982"))
    assert upcoming(st) == ("operating", "2026-05-11", False)

    # Pushed back to mid-June: the May date is void, not overdue.
    st = status(dbs, "kessock", "2026-05-20 12:00")
    assert shape(st)[:2] == ("suspended", "2026-03-16")
    assert upcoming(st) == ("operating", "June 2026", False)

    st = status(dbs, "kessock", "2026-06-16 12:00")
    assert shape(st) == ("operating", "2026-06-14", ("suspended", "2026-03-16"))
    assert st.upcoming is None


# ----------------------------------------------------------------------------- 4. festival


def test_festival_postponed_then_cancelled(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "santiago-festival", "2026-06-01 12:00")
    assert upcoming(st) == ("operating", "2026-11-07", False)

    st = status(dbs, "santiago-festival", "2026-09-20 12:00")
    assert st.state == "suspended"
    assert upcoming(st) == ("operating", "March 2027", False)

    st = status(dbs, "santiago-festival", "2026-10-21 12:00")
    assert st.state == "cancelled"
    assert label(st.since) is None  # "has been cancelled, the festival said on Tuesday"
    assert st.previous is not None and st.previous.state == "suspended"
    # Neither the November dates nor March 2027 are live; "did not say whether it would
    # return in 2027" is no plan.
    assert st.upcoming is None

    # November passes: still cancelled, nothing overdue.
    st = status(dbs, "santiago-festival", "2026-11-20 12:00")
    assert st.state == "cancelled" and st.upcoming is None


# ----------------------------------------------------------------------------- 5. port strike


def test_port_strike_called_begins_extended_called_off(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "antwerp-strike", "2026-06-02 12:00")
    assert st.state != "operating"
    assert upcoming(st) == ("operating", "2026-06-03", False)

    st = status(dbs, "antwerp-strike", "2026-06-03 20:00")
    assert shape(st)[:2] == ("operating", "2026-06-03")
    assert st.upcoming is None

    st = status(dbs, "antwerp-strike", "2026-06-06 12:00")
    assert shape(st)[:2] == ("operating", "2026-06-03")

    st = status(dbs, "antwerp-strike", "2026-06-09 12:00")
    assert st.state in {"cancelled", "suspended"}
    assert label(st.since) == "2026-06-07"
    assert st.previous is not None and st.previous.state == "operating"
    assert label(st.previous.since) == "2026-06-03"
    assert st.upcoming is None


# ----------------------------------------------------------------------------- 6. export ban


def test_export_ban_rumour_denied_then_lifted(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "onion-ban", "2026-01-13 12:00")
    assert shape(st)[:2] == ("operating", "December 2025")
    assert st.upcoming is None  # "could lift" from unnamed officials is a rumour
    assert "hedged" in kinds(st)

    st = status(dbs, "onion-ban", "2026-01-15 12:00")
    assert shape(st)[:2] == ("operating", "December 2025")
    assert st.upcoming is None

    st = status(dbs, "onion-ban", "2026-03-25 12:00")
    assert shape(st)[:2] == ("operating", "December 2025")
    assert upcoming(st) == ("cancelled", "2026-04-01", False)

    # The denial quoted without its dateline.
    assert any(c.kind == "denied" and c.text.startswith("The government") for c in st.caveats)


def test_export_ban_ended_reported_by_city_only(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "onion-ban", "2026-04-07 12:00")
    assert st.state == "cancelled"
    assert label(st.since) == "2026-04-01"
    assert st.previous is not None and st.previous.state == "operating"
    assert label(st.previous.since) == "December 2025"
    assert st.upcoming is None


# ----------------------------------------------------------------------------- 7. ferry


def test_ferry_port_storm_restart_slips(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "holyhead-dublin", "2025-12-09 12:00")
    assert st.state == "suspended"
    assert label(st.since) in {"2025-12-06", "2025-12-08"}
    assert st.upcoming is None

    st = status(dbs, "holyhead-dublin", "2025-12-14 12:00")
    assert st.state == "suspended"
    assert upcoming(st) == ("operating", "2025-12-19", False)

    st = status(dbs, "holyhead-dublin", "2025-12-22 12:00")
    assert st.state == "suspended"
    assert upcoming(st) == ("operating", "2026-01-15", False)

    st = status(dbs, "holyhead-dublin", "2026-01-17 12:00")
    assert shape(st)[:2] == ("operating", "2026-01-15")
    assert st.previous is not None and st.previous.state == "suspended"
    assert st.upcoming is None
    assert "RTE" in outlets(st, "operating", "2026-01-15")


def test_every_story_cites_its_sources(dbs) -> None:  # type: ignore[no-untyped-def]
    for name in STORIES:
        st = status(dbs, name, "2026-12-31 12:00")
        cited = {a.id for a in st.sources}
        referenced = {s.article_id for e in st.timeline for s in e.sources}
        assert referenced <= cited, name
        assert 0.0 <= st.confidence <= 1.0
