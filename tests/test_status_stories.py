"""bot.briefing.status on multi-article stories: several outlets each, relative dates, hedged
and conflicting claims, plans that never happen and later reports overturning plans.

The texts read like wire and newspaper copy; the places and carriers are real, the events
invented. Each story is ingested through the real ingest path into a temporary SQLite file and
asked for its status at several dates (`as_of`), never the clock.
"""

from __future__ import annotations

import pytest

from bot.briefing.status import build_status
from bot.briefing.topics import Catalog
from bot.config import ROOT
from bot.models import Situation, Status
from tests.status_kit import (
    Story,
    at,
    close_all,
    ingest_stories,
    outlets,
    shape,
    timeline,
    upcoming,
)
from tests.status_kit import article as _a

# ----------------------------------------------------------------------------- 1. rail link
# The seed's story continued: the first train runs, two outlets report it, state media is silent.

BEIJING_PYONGYANG_FOLLOW_UP = [
    _a(
        "Yonhap",
        "2026-03-13 01:30",
        "First Beijing-Pyongyang passenger train in six years departs",
        "The first passenger train between Beijing and Pyongyang in six years departed on "
        "Thursday evening, Yonhap reported, citing a travel agency in Dandong.\n\n"
        "The K27 train left Beijing railway station with about 100 passengers on board, most of "
        "them Chinese workers and North Korean students, the agency said.\n\n"
        "North Korea's state media has not reported on the resumption.",
        "first-train",
    ),
    _a(
        "Xinhua",
        "2026-03-13 09:00",
        "Beijing-Pyongyang international train arrives",
        "An international passenger train from Beijing arrived in Pyongyang on Friday morning, "
        "Xinhua said.\n\nThe service will run four times a week, according to China State "
        "Railway Group.",
        "arrives",
    ),
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
    _a(
        "Reuters",
        "2026-01-09 10:00",
        "Iran Air to resume London flights in February",
        "Iran Air will resume direct flights between Tehran and London on February 1, the airline "
        "said on Friday.\n\nFlights on the route were suspended in October 2024 after Britain "
        "barred the carrier over sanctions concerns.\n\nTickets are not yet on sale, travel "
        "agents in Tehran said.",
        "iran-air-resume",
    ),
    _a(
        "BBC",
        "2026-01-20 08:00",
        "Iran Air sets date for London return",
        "Iran Air's flights to London are scheduled to restart on February 1, a spokesperson "
        "told the BBC.\n\nBritish officials declined to comment on the plans.",
        "iran-air-date",
    ),
    _a(
        "AFP",
        "2026-02-03 12:00",
        "No sign of Iran Air London flights",
        "Iran Air has yet to resume flights to London, two days after the planned restart, "
        "travel agents in Tehran said.\n\nNo new date has been given for the service.",
        "iran-air-missed",
    ),
    _a(
        "Reuters",
        "2026-02-10 15:00",
        "Iran Air postpones London flights indefinitely",
        "Iran Air has postponed the resumption of its Tehran-London flights indefinitely, the "
        "airline said on Tuesday, citing problems with insurance.",
        "iran-air-postponed",
    ),
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
    _a(
        "NK News",
        "2026-04-02 06:00",
        "Satellite images hint at traffic on Yalu bridge",
        "Satellite images appear to show trucks crossing the New Yalu River Bridge between "
        "Dandong and Sinuiju, suggesting the crossing may have reopened.\n\nThe border crossing "
        "has been closed since January 2020 because of the pandemic.",
        "yalu-images",
    ),
    _a(
        "Yonhap",
        "2026-04-03 04:00",
        "China denies reopening of Dandong crossing",
        "China's foreign ministry denied that the bridge crossing between Dandong and Sinuiju "
        "had reopened.\n\nA spokesperson said the images showed routine maintenance vehicles.",
        "denial",
    ),
    _a(
        "Reuters",
        "2026-04-20 11:00",
        "China-North Korea bridge opens to freight",
        "The New Yalu River Bridge between Dandong and Sinuiju opened to freight traffic on "
        "Monday, customs officials in Dandong said.\n\nThe bridge was completed in 2014 but had "
        "never carried regular traffic.",
        "bridge-opens",
    ),
    _a(
        "AFP",
        "2026-04-22 09:00",
        "Only food trucks cross Yalu bridge",
        "Only trucks carrying food and medicine are allowed to use the crossing between Dandong "
        "and Sinuiju, officials said.",
        "food-only",
    ),
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
    _a(
        "NK News",
        "2026-01-15 09:00",
        "Pyongyang Marathon set for April",
        "The Pyongyang Marathon will take place on April 5, with foreign amateur runners allowed "
        "to take part, tour operators said.\n\nThe race was last held in April 2025.",
        "marathon-april",
    ),
    _a(
        "Reuters",
        "2026-02-20 07:00",
        "Pyongyang Marathon postponed",
        "Organisers have postponed the Pyongyang Marathon, originally scheduled for April 5, "
        "until further notice, according to tour agencies in Beijing.",
        "marathon-postponed",
    ),
    _a(
        "Yonhap",
        "2026-03-10 03:00",
        "Pyongyang Marathon cancelled",
        "The Pyongyang Marathon has been cancelled this year, North Korean state media "
        "reported.\n\nTour operators said refunds would be offered to foreign runners.",
        "marathon-cancelled",
    ),
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
    _a(
        "Reuters",
        "2025-06-02 16:00",
        "EU lifts sanctions on Belarusian potash",
        "The European Union lifted sanctions on Belarusian potash exports on Monday as part of a "
        "prisoner release deal, diplomats said.\n\nThe sanctions were first imposed in 2021 "
        "after the forced landing of a Ryanair jet in Minsk.",
        "potash-lifted",
    ),
    _a(
        "DW",
        "2025-11-14 12:00",
        "EU to reimpose potash sanctions on Belarus",
        "EU foreign ministers agreed to reimpose the sanctions on Belarusian potash from "
        "January 1, 2026, two diplomats said.\n\nMinsk called the decision hostile.",
        "potash-reimpose",
    ),
    _a(
        "Reuters",
        "2026-01-02 10:00",
        "EU potash sanctions back in force",
        "The sanctions on Belarusian potash were reimposed on Thursday, the European Union said "
        "in a statement.",
        "potash-back",
    ),
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
    _a(
        "BBC",
        "2026-05-01 09:00",
        "Eurostar staff to strike on 8 May",
        "Eurostar train managers will go on strike on 8 May, halting trains between London and "
        "Paris, the RMT union said.\n\nEurostar trains between London and Paris resumed on 17 "
        "January after a tunnel fault halted them for two days.",
        "strike-announced",
    ),
    _a(
        "The Guardian",
        "2026-05-06 18:00",
        "Eurostar strike called off",
        "The Eurostar strike planned for 8 May has been called off after the company improved "
        "its pay offer, the union said.\n\nEurostar trains between London and Paris will run as "
        "normal on Friday, the company said.",
        "strike-off",
    ),
    _a(
        "AFP",
        "2026-05-08 20:00",
        "Eurostar runs normally",
        "Eurostar trains between London and Paris ran normally on Friday.",
        "normal",
    ),
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
    _a(
        "TASS",
        "2026-06-20 10:00",
        "Aeroflot to launch Moscow-Pyongyang flights",
        "Aeroflot will launch direct flights between Moscow and Pyongyang on July 27, the "
        "carrier said.",
        "aeroflot-launch",
    ),
    _a(
        "Yonhap",
        "2026-06-22 05:00",
        "Moscow-Pyongyang flights expected in August",
        "Direct flights between Moscow and Pyongyang are expected to begin in August, a source "
        "familiar with the matter told Yonhap.",
        "august",
    ),
    _a(
        "Interfax",
        "2026-07-28 08:00",
        "First Aeroflot flight lands in Pyongyang",
        "Aeroflot's first flight from Moscow landed in Pyongyang on Monday, Interfax reported.\n\n"
        "Direct flights between Russia and North Korea had been limited to Vladivostok.",
        "landed",
    ),
]

# ----------------------------------------------------------------------------- 8. ferry
# A storm halts sailings; a hoped-for restart slips a day ("not until Friday"); a rumour that the
# port had reopened is denied; ferries sail again on a reduced timetable. 2026-02-10 is a Tuesday.

DOVER_CALAIS = Situation(
    key="dover-calais-ferries",
    title="Dover–Calais ferries",
    entities=[["Dover"], ["Calais"]],
    facets=["ferry", "ferries", "sailings", "DFDS", "P&O"],
)
DOVER_CALAIS_ARTICLES = [
    _a(
        "BBC",
        "2026-02-10 09:00",
        "Storm Freya halts Channel ferries",
        "Ferries between Dover and Calais were suspended on Tuesday morning as Storm Freya "
        "brought gusts of up to 90mph to the Channel, the Port of Dover said.\n\n"
        "Sailings are expected to resume on Wednesday, although the port warned that delays "
        "could last into the weekend.",
        "storm-halts-ferries",
    ),
    _a(
        "Kent Online",
        "2026-02-10 21:00",
        "Ferry firms hope to sail on Wednesday",
        "DFDS said its Dover-Calais ferries may resume as early as Wednesday afternoon if the "
        "wind drops.\n\n"
        "The Port of Dover denied reports on social media that the port had reopened to ferry "
        "traffic.",
        "hope-to-sail",
    ),
    _a(
        "Reuters",
        "2026-02-12 10:00",
        "Channel ferries stay in port",
        "Ferry sailings between Dover and Calais will not resume until Friday, P&O Ferries said "
        "on Thursday, after forecasters extended a weather warning for the Channel.",
        "not-until-friday",
    ),
    _a(
        "AFP",
        "2026-02-14 08:00",
        "Ferries sail again after storm",
        "The first ferries in four days left Dover for Calais on Friday morning, the port "
        "said.\n\n"
        "DFDS is running a reduced timetable on the route until Monday, the company said.",
        "sail-again",
    ),
]

# ----------------------------------------------------------------------------- 9. crossing
# A border crossing reopens after three weeks, a rumour of a new closure is denied, and weeks
# later it is closed again. 2026-03-02 is a Monday.

TORKHAM = Situation(
    key="torkham",
    title="Torkham border crossing",
    entities=[["Pakistan", "Pakistani", "Islamabad"], ["Afghanistan", "Afghan", "Kabul"]],
    facets=["Torkham", "border crossing"],
)
TORKHAM_ARTICLES = [
    _a(
        "Dawn",
        "2026-03-02 08:00",
        "Torkham to reopen on Wednesday",
        "The Torkham border crossing between Pakistan and Afghanistan will reopen on Wednesday, "
        "officials in Khyber district said.\n\n"
        "The crossing was closed on February 9 after clashes between border forces.",
        "torkham-reopen",
    ),
    _a(
        "Tolo News",
        "2026-03-05 06:00",
        "Trade resumes at Torkham",
        "Trucks began crossing at Torkham on Wednesday as the border crossing between "
        "Afghanistan and Pakistan reopened, Afghan customs officials said.",
        "trade-resumes",
    ),
    _a(
        "Reuters",
        "2026-03-20 12:00",
        "Pakistan denies new Torkham closure",
        "Pakistani officials denied reports that the Torkham border crossing would be closed "
        "again, saying trade with Afghanistan was flowing normally.",
        "denies-closure",
    ),
    _a(
        "AP",
        "2026-03-25 09:00",
        "Pakistan shuts Torkham crossing again",
        "Pakistan closed the Torkham border crossing with Afghanistan again on Tuesday after "
        "renewed firing between the two sides, a local official said, stranding hundreds of "
        "trucks.",
        "shut-again",
    ),
]

# ----------------------------------------------------------------------------- 10. concert
# A festival set to go ahead is cancelled after an accident; a rumour that it will take place in
# October is denied by the organisers. 2026-04-01 is a Wednesday.

BUSAN_FESTIVAL = Situation(
    key="busan-kpop-festival",
    title="Busan K-pop festival",
    entities=[["Busan"]],
    facets=["festival", "concert"],
)
BUSAN_FESTIVAL_ARTICLES = [
    _a(
        "Yonhap",
        "2026-04-01 10:00",
        "Busan K-pop festival to go ahead",
        "The K-pop festival planned at Busan's Asiad Main Stadium on April 25 will go ahead as "
        "scheduled, organisers said on Wednesday, despite safety concerns.",
        "go-ahead",
    ),
    _a(
        "Korea Herald",
        "2026-04-14 15:00",
        "Busan festival cancelled after stage collapse",
        "Organisers cancelled the Busan K-pop festival on Tuesday, citing the collapse of a "
        "temporary stage during rehearsals, and said tickets would be refunded.",
        "cancelled",
    ),
    _a(
        "JoongAng",
        "2026-04-16 08:00",
        "Busan festival may return in autumn",
        "The Busan festival could instead take place in October, according to people familiar "
        "with the matter.",
        "october",
    ),
    _a(
        "Yonhap",
        "2026-04-17 09:00",
        "Organisers deny October date for Busan festival",
        "The organisers denied reports that the Busan festival would be held in October, "
        "saying no new date had been discussed.",
        "denies-october",
    ),
]

# ----------------------------------------------------------------------------- 11. visa-free
# A visa-free scheme announced for March 1 is said to be slipping, is postponed "to next month"
# (a denial that it was scrapped), and starts on April 1. Nothing ever said it ran before, so
# the postponement has no "before that". 2026-02-02 is a Monday.

UZBEK_VISA = Situation(
    key="uzbekistan-visa-free-korea",
    title="Uzbekistan visa-free entry for South Koreans",
    entities=[["Uzbekistan", "Uzbek", "Tashkent"], ["South Korea", "South Korean", "Seoul"]],
    facets=["visa-free", "visa waiver"],
)
UZBEK_VISA_ARTICLES = [
    _a(
        "Yonhap",
        "2026-02-02 09:00",
        "Uzbekistan to launch visa-free entry for South Koreans",
        "Uzbekistan will launch visa-free entry for South Korean tourists on March 1, the Uzbek "
        "embassy in Seoul said on Monday.",
        "visa-launch",
    ),
    _a(
        "Trend",
        "2026-02-20 11:00",
        "Uzbek visa-free plan may slip",
        "The visa-free scheme for South Korean tourists may be postponed because border guards "
        "have not received the new software, an Uzbek travel agency said.",
        "may-slip",
    ),
    _a(
        "Reuters",
        "2026-02-26 13:00",
        "Uzbekistan postpones visa-free entry for South Koreans",
        "Uzbekistan has postponed visa-free entry for South Korean tourists until next month, "
        "the foreign ministry in Tashkent said on Thursday.",
        "postponed",
    ),
    _a(
        "Korea Herald",
        "2026-02-27 08:00",
        "Visa-free Uzbekistan trips now from April 1",
        "Visa-free entry to Uzbekistan for South Korean tourists will now start on April 1, the "
        "Uzbek embassy in Seoul said.\n\n"
        "The embassy denied reports that the visa-free scheme had been scrapped.",
        "april-1",
    ),
    _a(
        "Yonhap",
        "2026-04-02 10:00",
        "First visa-free South Korean tourists arrive in Tashkent",
        "Visa-free entry to Uzbekistan for South Korean tourists began on Wednesday, officials "
        "at Tashkent airport said.",
        "began",
    ),
]

# ----------------------------------------------------------------------------- 12. strike
# A rail strike from the strike's own perspective: called for Thursday, rumoured to be called
# off, called off, and a denial that it would move to the next week. 2026-01-05 is a Monday.

GDL_STRIKE = Situation(
    key="germany-rail-strike",
    title="German train drivers' strike",
    entities=[["Germany", "German", "Deutsche Bahn"]],
    facets=["strike", "GDL"],
)
GDL_STRIKE_ARTICLES = [
    _a(
        "DW",
        "2026-01-05 10:00",
        "German train drivers to strike on Thursday",
        "The GDL train drivers' union will go on strike on Thursday, halting most long-distance "
        "trains in Germany, the union said on Monday.",
        "strike-called",
    ),
    _a(
        "Reuters",
        "2026-01-06 16:00",
        "Deutsche Bahn seeks to avert strike",
        "The GDL strike could be called off if Deutsche Bahn improves its pay offer, people "
        "close to the talks said.",
        "could-be-called-off",
    ),
    _a(
        "Der Spiegel",
        "2026-01-07 12:00",
        "GDL calls off Thursday strike",
        "The GDL has called off the strike planned for Thursday after Deutsche Bahn agreed to "
        "arbitration, a union spokesman said on Wednesday.\n\n"
        "Deutsche Bahn denied reports that the GDL would go on strike next week instead.",
        "called-off",
    ),
    _a(
        "AFP",
        "2026-01-09 08:00",
        "German trains run normally",
        "Long-distance trains ran normally across Germany on Thursday after the GDL strike was "
        "called off.",
        "run-normally",
    ),
]

# ----------------------------------------------------------------------------- 13. race
# A recurring race: back after a pandemic gap, one category scrapped (a limit, not the race
# cancelled), then held on its planned date.

HANOI_HALF = Situation(
    key="hanoi-half-marathon",
    title="Hanoi Half Marathon",
    entities=[["Hanoi", "Vietnam", "Vietnamese"]],
    facets=["half marathon", "marathon"],
)
HANOI_HALF_ARTICLES = [
    _a(
        "VnExpress",
        "2026-01-12 04:00",
        "Hanoi Half Marathon to welcome overseas runners in March",
        "The Hanoi Half Marathon is scheduled to take place on March 22 and will again accept "
        "entries from overseas runners, the city's sports department said on Monday.\n\n"
        "The race was suspended in 2021 because of Covid-19 and made a comeback last year with "
        "about 8,000 participants.",
        "half-march",
    ),
    _a(
        "Reuters",
        "2026-03-09 06:00",
        "Hanoi scraps overseas entries for half marathon",
        "Organisers of the Hanoi Half Marathon have scrapped the international category of this "
        "year's race because of a shortage of hotel rooms, a spokesman for the city's sports "
        "department said on Sunday.\n\nThe domestic race will still go ahead on March 22 as "
        "planned, he added.",
        "half-scrapped",
    ),
    _a(
        "AFP",
        "2026-03-23 02:00",
        "Hanoi Half Marathon held without foreign entrants",
        "Hanoi staged its half marathon on Sunday with Vietnamese runners only, state broadcaster "
        "VTV reported.\n\nAbout 6,000 people took part in the race, which finished beside Hoan "
        "Kiem Lake.",
        "half-held",
    ),
]

# ----------------------------------------------------------------------------- 14. details
# The train runs, and the outlets agree on that, but not on how often: both are shown.

NANNING_HANOI = Situation(
    key="nanning-hanoi",
    title="Nanning–Hanoi passenger trains",
    entities=[["Nanning", "China", "Chinese"], ["Hanoi", "Vietnam", "Vietnamese"]],
    facets=["train", "trains", "rail", "railway", "passenger service"],
)
NANNING_HANOI_ARTICLES = [
    _a(
        "Xinhua",
        "2026-05-02 10:00",
        "Nanning-Hanoi passenger trains resume",
        "Passenger trains between Nanning and Hanoi resumed on Friday after a four-year pause, "
        "China Railway Nanning Group said.\n\nThe service will run daily between Nanning and "
        "Hanoi, the company said.",
        "resume",
    ),
    _a(
        "VnExpress",
        "2026-05-02 14:00",
        "Cross-border train to China back on track",
        "The international train from Hanoi to Nanning resumed on Friday, Vietnam Railways said."
        "\n\nIt runs four times a week from Hanoi to Nanning, with tickets sold only at Gia Lam "
        "station.",
        "back",
    ),
    _a(
        "Reuters",
        "2026-05-03 08:00",
        "China, Vietnam restart passenger rail link",
        "China and Vietnam restarted passenger trains between Nanning and Hanoi on Friday, the "
        "Chinese operator said, with a daily service planned.",
        "restart",
    ),
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
    "dover-calais": Story(DOVER_CALAIS, DOVER_CALAIS_ARTICLES),
    "torkham": Story(TORKHAM, TORKHAM_ARTICLES),
    "busan-festival": Story(BUSAN_FESTIVAL, BUSAN_FESTIVAL_ARTICLES),
    "uzbek-visa": Story(UZBEK_VISA, UZBEK_VISA_ARTICLES),
    "gdl-strike": Story(GDL_STRIKE, GDL_STRIKE_ARTICLES),
    "hanoi-half": Story(HANOI_HALF, HANOI_HALF_ARTICLES),
    "nanning-hanoi": Story(NANNING_HANOI, NANNING_HANOI_ARTICLES),
}


# ----------------------------------------------------------------------------- harness


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One database per story (the Beijing-Pyongyang one holds the seed as well)."""
    out = ingest_stories(
        tmp_path_factory,
        STORIES,
        before={"beijing-pyongyang": [ROOT / "seeds" / "000_eba980bd3d31b10d.txt"]},
    )
    yield out
    close_all(out)


def status(dbs, name: str, when: str) -> Status:  # type: ignore[no-untyped-def]
    return build_status(dbs[name], STORIES[name].situation, as_of=at(when))


# ----------------------------------------------------------------------------- 1. rail link


def test_rail_first_train_runs(dbs) -> None:  # type: ignore[no-untyped-def]
    before = status(dbs, "beijing-pyongyang", "2026-03-12 23:00")
    assert shape(before) == ("suspended", "2020", ("operating", None))
    assert upcoming(before) == ("operating", "2026-03-12", False)

    after = status(dbs, "beijing-pyongyang", "2026-03-13 05:00")
    assert shape(after) == ("operating", "2026-03-12", ("suspended", "2020"))
    assert after.upcoming is None
    # The plan and the report of it happening merge into one entry with every source.
    assert timeline(after) == [
        ("2020", "suspended", "reported"),
        ("2026-03-12", "operating", "reported"),
    ]
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
    # The denial is a caveat on the hedged report it answers, not a change of its own.
    assert timeline(st) == [
        ("January 2020", "suspended", "reported"),
        (None, "operating", "hedged"),
    ]
    [hinted] = [e for e in st.timeline if e.modality == "hedged"]
    assert [s.outlet for s in hinted.sources] == ["NK News", "Yonhap"]  # the direct one first
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
    assert timeline(st) == [
        ("2021", "operating", "reported"),
        ("2025-06-02", "cancelled", "reported"),
        ("2026-01-01", "operating", "reported"),
    ]
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


# ----------------------------------------------------------------------------- 8. ferry


def test_ferry_storm_delay_denial_then_sailings(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "dover-calais", "2026-02-10 12:00")
    # "Suspended" interrupts sailings that ran: before that, operating (undated).
    assert shape(st) == ("suspended", "2026-02-10", ("operating", None))
    assert upcoming(st) == ("operating", "2026-02-11", False)

    st = status(dbs, "dover-calais", "2026-02-11 08:00")
    # The hedged "as early as Wednesday" and the denied rumour join the planned restart.
    assert timeline(st) == [
        ("2026-02-10", "suspended", "reported"),
        ("2026-02-11", "operating", "planned"),
    ]
    assert outlets(st, "operating", "2026-02-11") == {"BBC", "Kent Online"}
    assert any(c.kind == "denied" and "Port of Dover" in c.text for c in st.caveats)
    denied = st.confidence

    # "Will not resume until Friday": the Wednesday plan gives way to Friday, not overdue.
    st = status(dbs, "dover-calais", "2026-02-12 12:00")
    assert shape(st)[0] == "suspended"
    assert upcoming(st) == ("operating", "2026-02-13", False)
    assert st.confidence > denied  # the denial was about a rumour, not the new plan

    st = status(dbs, "dover-calais", "2026-02-14 12:00")
    assert shape(st) == ("operating", "2026-02-13", ("suspended", "2026-02-10"))
    assert st.upcoming is None
    assert timeline(st) == [
        ("2026-02-10", "suspended", "reported"),
        ("2026-02-11", "operating", "planned"),
        ("2026-02-13", "operating", "reported"),
    ]
    kinds = {c.kind for c in st.caveats}
    assert "limited" in kinds and "denied" not in kinds
    # The reduced timetable ran "until Monday": by Tuesday it no longer qualifies anything.
    st = status(dbs, "dover-calais", "2026-02-17 12:00")
    assert not any(c.kind == "limited" for c in st.caveats)


# ----------------------------------------------------------------------------- 9. crossing


def test_crossing_reopens_then_closes_again(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "torkham", "2026-03-03 12:00")
    assert shape(st) == ("suspended", "2026-02-09", ("operating", None))
    assert upcoming(st) == ("operating", "2026-03-04", False)

    st = status(dbs, "torkham", "2026-03-06 12:00")
    assert shape(st) == ("operating", "2026-03-04", ("suspended", "2026-02-09"))
    assert st.upcoming is None
    assert outlets(st, "operating", "2026-03-04") == {"Tolo News", "Dawn"}
    [reopened] = [e for e in st.timeline if e.state == "operating"]
    assert reopened.modality == "reported" and reopened.sources[0].outlet == "Tolo News"

    # A denied rumour of a new closure: a caveat, no change, no plan.
    st = status(dbs, "torkham", "2026-03-21 12:00")
    assert shape(st) == ("operating", "2026-03-04", ("suspended", "2026-02-09"))
    assert st.upcoming is None
    assert any(c.kind == "denied" for c in st.caveats)
    assert len(st.timeline) == 2

    st = status(dbs, "torkham", "2026-03-26 12:00")
    assert shape(st) == ("suspended", "2026-03-24", ("operating", "2026-03-04"))
    assert timeline(st) == [
        ("2026-02-09", "suspended", "reported"),
        ("2026-03-04", "operating", "reported"),
        ("2026-03-24", "suspended", "reported"),
    ]
    # The denial was overtaken by the closure it denied: a source of that entry, no caveat.
    assert outlets(st, "suspended", "2026-03-24") == {"AP", "Reuters"}
    assert not any(c.kind == "denied" for c in st.caveats)


# ----------------------------------------------------------------------------- 10. concert


def test_festival_cancelled_rumoured_date_denied(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "busan-festival", "2026-04-05 12:00")
    assert shape(st) == ("unknown", None, None)
    assert upcoming(st) == ("operating", "2026-04-25", False)

    st = status(dbs, "busan-festival", "2026-04-16 12:00")
    # Cancelled, and nothing says it ever ran: no "before that".
    assert shape(st) == ("cancelled", "2026-04-14", None)
    # A rumoured October date is a hedged entry and a caveat, never the next thing.
    assert st.upcoming is None
    assert ("October 2026", "operating", "hedged") in timeline(st)
    assert any(c.kind == "hedged" and "October" in c.text for c in st.caveats)

    st = status(dbs, "busan-festival", "2026-04-20 12:00")
    assert shape(st) == ("cancelled", "2026-04-14", None)
    assert st.upcoming is None
    assert timeline(st) == [
        ("2026-04-14", "cancelled", "reported"),
        ("2026-04-25", "operating", "planned"),
        ("October 2026", "operating", "hedged"),
    ]
    kinds = {c.kind for c in st.caveats}
    # Denied by the organisers: the rumour is void, the denial is what is left to say.
    assert "denied" in kinds and "hedged" not in kinds
    assert outlets(st, "operating", "October 2026") == {"JoongAng", "Yonhap"}

    st = status(dbs, "busan-festival", "2026-04-26 12:00")
    assert st.upcoming is None  # April 25 passed after the cancellation: void, not overdue


# ----------------------------------------------------------------------------- 11. visa-free


def test_visa_free_scheme_postponed_to_next_month(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "uzbek-visa", "2026-02-10 12:00")
    assert shape(st) == ("unknown", None, None)
    assert upcoming(st) == ("operating", "2026-03-01", False)

    st = status(dbs, "uzbek-visa", "2026-02-21 12:00")
    assert st.state == "unknown"
    assert upcoming(st) == ("operating", "2026-03-01", False)  # "may be postponed" is no change
    assert (None, "suspended", "hedged") in timeline(st)

    st = status(dbs, "uzbek-visa", "2026-02-26 18:00")
    # Postponed: on hold, since the report; it never ran, so nothing before it.
    assert shape(st) == ("suspended", None, None)
    assert st.upcoming is None  # the March 1 plan is void
    # The rumour and the report of the postponement are one undated entry.
    assert timeline(st) == [(None, "suspended", "reported"), ("2026-03-01", "operating", "planned")]
    assert outlets(st, "suspended", None) == {"Reuters", "Trend"}

    st = status(dbs, "uzbek-visa", "2026-03-02 12:00")
    assert shape(st) == ("suspended", None, None)
    assert upcoming(st) == ("operating", "2026-04-01", False)
    assert any(c.kind == "denied" and "scrapped" in c.text for c in st.caveats)
    assert not any(c.kind == "hedged" for c in st.caveats)  # "may be postponed" came true

    st = status(dbs, "uzbek-visa", "2026-04-03 12:00")
    assert shape(st) == ("operating", "2026-04-01", ("suspended", None))
    assert st.upcoming is None
    assert timeline(st) == [
        (None, "suspended", "reported"),
        ("2026-03-01", "operating", "planned"),
        ("2026-04-01", "operating", "reported"),
    ]
    assert outlets(st, "operating", "2026-04-01") == {"Yonhap", "Korea Herald"}
    assert not any(c.kind == "denied" for c in st.caveats)


# ----------------------------------------------------------------------------- 12. strike


def test_rail_strike_called_then_called_off(dbs) -> None:  # type: ignore[no-untyped-def]
    # The strike's own perspective: "operating" is the strike in force.
    st = status(dbs, "gdl-strike", "2026-01-05 12:00")
    assert shape(st) == ("unknown", None, None)
    assert upcoming(st) == ("operating", "2026-01-08", False)

    st = status(dbs, "gdl-strike", "2026-01-06 18:00")
    assert upcoming(st) == ("operating", "2026-01-08", False)  # "could be called off": a hedge
    assert (None, "cancelled", "hedged") in timeline(st)

    st = status(dbs, "gdl-strike", "2026-01-07 18:00")
    assert shape(st) == ("cancelled", None, None)
    assert st.upcoming is None
    assert timeline(st) == [(None, "cancelled", "reported"), ("2026-01-08", "operating", "planned")]
    [off] = [e for e in st.timeline if e.state == "cancelled"]
    assert [s.outlet for s in off.sources] == ["Der Spiegel", "Reuters"]  # the report first
    assert any(c.kind == "denied" and "next week" in c.text for c in st.caveats)
    called_off = st.confidence

    st = status(dbs, "gdl-strike", "2026-01-10 12:00")
    assert shape(st) == ("cancelled", None, None)
    assert outlets(st, "cancelled", None) == {"Der Spiegel", "AFP", "Reuters"}
    assert st.confidence > called_off  # a second outlet reports it
    # The denied "strike next week" was about a week now past: no longer a caveat.
    st = status(dbs, "gdl-strike", "2026-02-14 12:00")
    assert not any(c.kind == "denied" for c in st.caveats)


# ----------------------------------------------------------------------------- 13. race


def test_race_returns_part_scrapped_then_held(dbs) -> None:  # type: ignore[no-untyped-def]
    # "made a comeback last year": running again since 2025, after the 2021 suspension; the
    # announced date is the next thing, though the article also recalls the suspension.
    st = status(dbs, "hanoi-half", "2026-02-01 12:00")
    assert shape(st) == ("operating", "2025", ("suspended", "2021"))
    assert upcoming(st) == ("operating", "2026-03-22", False)
    assert not any(c.kind == "limited" for c in st.caveats)

    # One category scrapped: a limit on who runs, not the race cancelled; the plan stands.
    st = status(dbs, "hanoi-half", "2026-03-15 12:00")
    assert shape(st) == ("operating", "2025", ("suspended", "2021"))
    assert upcoming(st) == ("operating", "2026-03-22", False)
    assert timeline(st) == [
        ("2021", "suspended", "reported"),
        ("2025", "operating", "reported"),
        ("2026-03-22", "operating", "planned"),
    ]
    assert outlets(st, "operating", "2026-03-22") == {"VnExpress", "Reuters"}
    assert any(c.kind == "limited" and "international category" in c.text for c in st.caveats)

    # Held on the day: the plan is fulfilled (neither upcoming nor overdue), the limit stays.
    st = status(dbs, "hanoi-half", "2026-03-24 12:00")
    assert shape(st) == ("operating", "2025", ("suspended", "2021"))
    assert st.upcoming is None
    assert timeline(st)[-1] == ("2026-03-22", "operating", "reported")
    assert "state broadcaster VTV (via AFP)" in outlets(st, "operating", "2026-03-22")
    limits = " ".join(c.text for c in st.caveats if c.kind == "limited")
    assert "international category" in limits and "runners only" in limits


# ----------------------------------------------------------------------------- 14. details


def test_outlets_disagreeing_on_frequency_are_both_shown(dbs) -> None:  # type: ignore[no-untyped-def]
    st = status(dbs, "nanning-hanoi", "2026-05-04 12:00")
    assert shape(st) == ("operating", "2026-05-01", ("suspended", "2022"))
    assert {"Xinhua", "VnExpress", "Reuters"} <= outlets(st, "operating", "2026-05-01")
    conflicts = [c.text for c in st.caveats if c.kind == "conflict"]
    assert len(conflicts) == 1
    assert "Xinhua: daily, Nanning–Hanoi" in conflicts[0]
    assert "VnExpress: four times a week, Hanoi–Nanning" in conflicts[0]
    # Before the second outlet reported, nobody disagreed.
    first = status(dbs, "nanning-hanoi", "2026-05-02 12:00")
    assert not [c for c in first.caveats if c.kind == "conflict"]
    assert st.confidence < 0.95
