"""bot.analysis.events: state changes, modality, negation, dates, attribution and caveat cues."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.analysis.events import (
    caveat_cues,
    clause_of,
    extract_events,
    find_attributions,
    has_trigger,
    lemma_of,
    restriction_of,
    service_state,
)
from bot.models import Event

SEED_DAY = dt.datetime(2026, 3, 11, 9, 0, tzinfo=dt.UTC)  # a Wednesday

# (sentence, [(state, modality, negated, date label or None), ...])
Expected = list[tuple[str, str, bool, str | None]]
CASES: list[tuple[str, Expected]] = [
    # --- the seed's sentences
    (
        "The two countries have decided to resume train services after six years, The Guardian "
        "reported.",
        [("operating", "planned", False, None), ("suspended", "reported", False, "2020")],
    ),
    (
        "Passenger train services between China and North Korea are to resume this week, six years "
        "after their suspension because of the Covid-19 pandemic, travel operators have said.",
        [("operating", "planned", False, "March 2026"), ("suspended", "reported", False, "2020")],
    ),
    (
        "Train journeys between the two countries were halted in 2020 as strict border closures "
        "were imposed to prevent the virus spreading.",
        [("suspended", "reported", False, "2020")],
    ),
    (
        "Travel agents for official ticketing booths in Beijing and the Chinese border city of "
        "Dandong said on Tuesday that Chinese people working and studying in North Korea were now "
        "able to buy train tickets to the diplomatically isolated nation, with the first service "
        "leaving on Thursday, March 12.",
        [("operating", "planned", False, "2026-03-12")],
    ),
    (
        "South Korea's unification ministry said in a statement, “We understand that the "
        "Pyongyang-Beijing international train service is set to resume operations on March 12, "
        "and we will continue to closely monitor related developments.”",
        [("operating", "planned", False, "2026-03-12")],
    ),
    (
        "China's foreign ministry spokesperson Guo Jiakun did not confirm the reports when "
        "asked at a media briefing on Tuesday.",
        [],
    ),
    ("However, tourists are not yet eligible to buy tickets.", []),
    (
        "He confirmed his company, one of several foreign-run firms that specialises in travel to "
        "North Korea, could also organise tickets from Thursday.",
        [],
    ),
    # --- rail and flights
    (
        "Flights between Seoul and Tokyo were suspended on Monday after the typhoon.",
        [("suspended", "reported", False, "2026-03-09")],
    ),
    (
        "Korean Air said it would resume flights to Tokyo on March 20.",
        [("operating", "planned", False, "2026-03-20")],
    ),
    (
        "A train arrived in Beijing from Pyongyang on Friday, Xinhua reported.",
        [("operating", "reported", False, "2026-03-06")],
    ),
    ("The airline has yet to resume its Pyongyang route.", [("operating", "reported", True, None)]),
    (
        "Air Koryo's flights have not yet resumed, according to the airline's website.",
        [("operating", "reported", True, None)],
    ),
    (
        "Services have been suspended for two months.",
        [("suspended", "reported", False, "January 2026")],
    ),
    (
        "No trains have run between the two cities since 2020.",
        [("suspended", "reported", False, "2020")],
    ),
    (
        "The ferry no longer operates between Dover and Calais.",
        [("suspended", "reported", False, None)],
    ),
    (
        "It was the first passenger train since 2020 to cross the bridge, Yonhap reported.",
        [("operating", "reported", False, None), ("suspended", "reported", False, "2020")],
    ),
    (
        "Passenger services on the line were halted in 2020 and have not resumed since.",
        [("suspended", "reported", False, "2020"), ("operating", "reported", True, None)],
    ),
    (
        "Flights will not resume until at least June, the carrier said.",
        [("operating", "planned", True, "June 2026")],
    ),
    (
        "The Dover-Calais ferry service was axed in 2019.",
        [("cancelled", "reported", False, "2019")],
    ),
    (
        "Iran Air has postponed the resumption of its Tehran-London flights indefinitely.",
        [("suspended", "reported", False, None)],
    ),
    (
        "The resumption of passenger services has been delayed indefinitely, according to a "
        "notice seen by NK News.",
        [("suspended", "reported", False, None)],
    ),
    (
        "Trains between the two capitals are running again after a six-year hiatus.",
        [("operating", "reported", False, None), ("suspended", "reported", False, "2020")],
    ),
    (
        "The train service between Beijing and Pyongyang, which was suspended in 2020, resumed on "
        "Thursday.",
        [("suspended", "reported", False, "2020"), ("operating", "reported", False, "2026-03-05")],
    ),
    # --- border crossings, hedges, denials
    (
        "Pyongyang reopened its borders to foreign tourists in February 2025, but closed them "
        "again weeks later.",
        [("operating", "reported", False, "February 2025"), ("suspended", "reported", False, None)],
    ),
    (
        "The border crossing at Dandong reopened on Friday for cargo trucks.",
        [("operating", "reported", False, "2026-03-06")],
    ),
    (
        "The crossing appears to have reopened, according to satellite images.",
        [("operating", "hedged", False, None)],
    ),
    (
        "Trains could resume as early as next month, an official at China State Railway Group told "
        "Reuters.",
        [("operating", "hedged", False, "April 2026")],
    ),
    (
        "The ministry denied reports that flights had been suspended.",
        [("suspended", "denied", False, None)],
    ),
    (
        "Officials declined to comment on whether the service had resumed.",
        [("operating", "unconfirmed", False, None)],
    ),
    (
        "Talks on reopening the border are expected to begin next week.",
        [("operating", "hedged", False, "March 2026")],
    ),
    # --- events
    (
        "The match was postponed due to heavy rain and will be played next month.",
        [("suspended", "reported", False, None), ("operating", "planned", False, "April 2026")],
    ),
    (
        "Organisers cancelled the festival, citing security concerns.",
        [("cancelled", "reported", False, None)],
    ),
    (
        "The Tokyo Marathon will go ahead as planned on Sunday, organisers confirmed.",
        [("operating", "planned", False, "2026-03-15")],
    ),
    ("The race was last held in April 2025.", [("operating", "reported", False, "April 2025")]),
    # --- restrictions keep their own perspective
    (
        "The EU lifted sanctions on Belarusian potash in 2022.",
        [("cancelled", "reported", False, "2022")],
    ),
    (
        "The sanctions were reimposed last month after talks collapsed.",
        [("operating", "reported", False, "February 2026")],
    ),
    (
        "The strike planned for Friday has been called off, the union said.",
        [("cancelled", "reported", False, None)],
    ),
    (
        "Rail workers went on strike on Monday, halting services across the country.",
        [("operating", "reported", False, "2026-03-09"), ("suspended", "reported", False, None)],
    ),
    ("The ban on flights was lifted on Sunday.", [("cancelled", "reported", False, "2026-03-08")]),
    (
        "Sanctions on the oil sector will be reimposed on July 1 unless a deal is reached.",
        [("operating", "planned", False, "2026-07-01")],
    ),
    (
        "A curfew was imposed in the capital on Saturday night.",
        [("operating", "reported", False, "2026-03-07")],
    ),
    # --- movement verbs: the service moving, not people
    (
        "The K27 train, carrying 100 passengers, departed Beijing on Thursday.",
        [("operating", "reported", False, "2026-03-05")],
    ),
    (
        "The first train left the station at 8am on Monday.",
        [("operating", "reported", False, "2026-03-09")],
    ),
    ("Passengers were seen leaving the train with luggage.", []),
    ("North Korean leader Kim Jong Un arrived in Beijing by train on Tuesday.", []),
    ("A delegation of officials left Pyongyang for Moscow on the weekly train on Monday.", []),
    (
        "The hydrofoil was taken out of service in March after leaks were found in its hull.",
        [("suspended", "reported", False, "March 2026")],
    ),
    # "until Monday" ends a state, it does not date a change
    (
        "DFDS is running a reduced timetable on the route until Monday, the company said.",
        [("operating", "reported", False, None)],
    ),
    # "at the start of the pandemic" is a time, not a start
    (
        "The service had been suspended when North Korea sealed its borders at the start of "
        "the Covid-19 pandemic.",
        [("suspended", "reported", False, None)],
    ),
    # --- an event comes back, is held, or loses only a part
    (
        "The race was cancelled in 2020 and 2021 because of the pandemic and returned last year.",
        [("cancelled", "reported", False, "2020"), ("operating", "reported", False, "2025")],
    ),
    (
        "The festival made a triumphant comeback in 2024.",
        [("operating", "reported", False, "2024")],
    ),
    (
        "The Berlin Marathon returns on September 27.",
        [("operating", "planned", False, "2026-09-27")],
    ),
    (
        "North Korea held the Pyongyang Marathon on Sunday with elite runners only, state media "
        "KCNA reported.",
        [("operating", "reported", False, "2026-03-08")],
    ),
    ("The film festival kicked off on Monday.", [("operating", "reported", False, "2026-03-09")]),
    (
        "Brazil will host the summit in November.",
        [("operating", "planned", False, "November 2026")],
    ),
    (
        "The elite race is still expected to go ahead on April 12.",
        [("operating", "planned", False, "2026-04-12")],
    ),
    (
        "Organisers have called off the foreign amateur section of this year's marathon.",
        [],
    ),
    ("Some flights were cancelled on Monday because of fog.", []),
    ("The concert was cancelled for foreign ticket holders.", []),
    (
        "The marathon was cancelled for the second year running.",
        [("cancelled", "reported", False, None)],
    ),
    (
        "The ferry was cancelled in part because of the storm.",
        [("cancelled", "reported", False, None)],
    ),
    (
        "It will provide another travel option once tourism eventually returns.",
        [("operating", "hedged", False, None)],
    ),
    # --- not state changes
    ("Officials held talks with the marathon organisers on Monday.", []),
    ("Police held the marathon winner for questioning.", []),
    ("Tourists returned home from Pyongyang last week.", []),
    ("The company returned the tickets.", []),
    ("Shares in the company closed 3% lower on Friday.", []),
    ("The president will leave for Beijing on Monday.", []),
    ("He said the trains would stop in Dandong before crossing the border.", []),
    ("The state-run newspaper ran a long editorial.", []),
    ("China is historically North Korea's biggest backer.", []),
]


def _shape(events: list[Event]) -> Expected:
    return [(e.state, e.modality, e.negated, e.date.label() if e.date else None) for e in events]


@pytest.mark.parametrize(("sentence", "expected"), CASES)
def test_extract_events(sentence: str, expected: Expected) -> None:
    assert _shape(extract_events(sentence, published=SEED_DAY)) == expected


def test_at_least_thirty_sentences() -> None:
    assert len(CASES) >= 30


def test_trigger_is_the_sentence_words() -> None:
    sentence = "The ban on flights was lifted on Sunday."
    (event,) = extract_events(sentence, published=SEED_DAY)
    assert event.trigger == "ban on flights was lifted"
    assert event.trigger in sentence
    assert restriction_of(event.trigger) == "ban"
    assert service_state(event.state) == "operating"  # a ban lifted: the flights run


def test_lemma_of_names_the_lexicon_entry() -> None:
    assert lemma_of("were halted") == "halt"
    assert lemma_of("called off") == "call off"
    assert lemma_of("first time since January 2020") == "first since"
    assert lemma_of("after six years") == "gap"
    # "left" is "leave" only with the words after it, which the sentence gives.
    assert lemma_of("left", "The train left Kunming for Hanoi on Thursday.") == "leave"
    assert lemma_of("Passengers") is None


def test_restriction_in_force_is_a_service_suspended() -> None:
    assert service_state("operating") == "suspended"
    assert service_state("cancelled") == "operating"
    assert restriction_of("resumed") is None
    assert restriction_of("sanctions were reimposed") == "sanction"


def test_date_attached_to_its_trigger_not_the_report() -> None:
    sentence = (
        "China has since fully reopened its borders, but North Korea has proceeded more "
        "slowly, though direct flights and train services with Russia resumed last year."
    )
    events = extract_events(sentence, published=SEED_DAY)
    assert [(e.trigger, e.date.label() if e.date else None) for e in events] == [
        ("reopened", None),
        ("resumed", "2025"),
    ]


@pytest.mark.parametrize(
    ("sentence", "name", "kind"),
    [
        (
            "The two countries have decided to resume train services, The Guardian reported.",
            "The Guardian",
            "outlet",
        ),
        (
            "Services are to resume this week, travel operators have said.",
            "travel operators",
            "trade",
        ),
        ("Trains resumed on Friday, Yonhap reported.", "Yonhap", "outlet"),
        ("Trains resumed on Friday, according to Xinhua.", "Xinhua", "outlet"),
        (
            "Trains could resume, an official at China State Railway Group told Reuters.",
            "an official at China State Railway Group",
            "official",
        ),
        (
            "South Korea's unification ministry said trains would resume.",
            "South Korea's unification ministry",
            "official",
        ),
        (
            "Flights resumed, a source familiar with the matter said.",
            "a source familiar with the matter",
            "anonymous",
        ),
        (
            "“It's great to see the service resuming,” said Rowan Beard, a tours manager at Young "
            "Pioneer Tours.",
            "Rowan Beard, a tours manager at Young Pioneer Tours",
            "trade",
        ),
        (
            "The crossing reopened, according to photos circulating online.",
            "photos circulating online",
            "anonymous",
        ),
        (
            "North Korean state media reported that the marathon was cancelled.",
            "North Korean state media",
            "outlet",
        ),
    ],
)
def test_attribution(sentence: str, name: str, kind: str) -> None:
    events = extract_events(sentence, published=SEED_DAY)
    assert events, sentence
    assert events[0].attribution is not None
    assert (events[0].attribution.name, events[0].attribution.kind) == (name, kind)


def test_attributions_ignore_non_reports() -> None:
    assert find_attributions("North Korea's state media has not reported on the resumption.") == []


@pytest.mark.parametrize(
    ("sentence", "kinds"),
    [
        ("However, tourists are not yet eligible to buy tickets.", ["limited"]),
        (
            "“While it isn't initially intended for tourists, it will provide another option,” "
            "Beard said.",
            ["limited"],
        ),
        (
            "China's foreign ministry spokesperson Guo Jiakun did not confirm the reports.",
            ["unconfirmed"],
        ),
        ("The ministry dismissed reports that the line would reopen.", ["denied"]),
        ("The claims could not be independently verified.", ["unconfirmed"]),
        ("Photos circulating on social media appear to show a train.", ["hedged"]),
        ("The service is open only to Chinese nationals.", ["limited"]),
        ("Only trucks carrying food are allowed to cross.", ["limited"]),
        ("North Korea's state media has not reported on the resumption.", ["silent"]),
        ("Chinese workers were now able to buy train tickets.", []),
        ("North Korea called off the foreign amateur section of the marathon.", ["limited"]),
        ("Some flights were cancelled on Monday.", ["limited"]),
        ("The marathon was held on Sunday with elite runners only.", ["limited"]),
        ("The match was played without spectators.", ["limited"]),
        ("Foreign amateur runners did not take part this year.", ["limited"]),
        ("The marathon was cancelled on Monday.", []),
        ("The train leaves on Thursday.", []),
    ],
)
def test_caveat_cues(sentence: str, kinds: list[str]) -> None:
    assert caveat_cues(sentence) == kinds


def test_prefilter_and_clause() -> None:
    assert not has_trigger("China is historically North Korea's biggest backer.")
    assert has_trigger("Trains resumed.")
    sentence = "China reopened its borders, but North Korea has proceeded more slowly."
    assert clause_of(sentence, "reopened") == "China reopened its borders"
    assert clause_of(sentence, "missing words") == sentence


def test_never_reads_the_clock_results_follow_published() -> None:
    sentence = "The train will leave on Tuesday."
    a = extract_events(sentence, published=dt.datetime(2026, 3, 11, tzinfo=dt.UTC))
    b = extract_events(sentence, published=dt.datetime(2027, 6, 2, tzinfo=dt.UTC))
    assert a[0].date and b[0].date and a[0].date.value != b[0].date.value


# ----------------------------------------------------------------------------- wire copy
# 2026-03-11 (SEED_DAY) is a Wednesday.

WIRE_CASES: list[tuple[str, Expected]] = [
    # A dateline's date and agency are no part of the report.
    (
        "YEREVAN, Feb 10 (Reuters) - Armenia will open the border crossing next month, the "
        "foreign ministry said.",
        [("operating", "planned", False, "April 2026")],
    ),
    # Nobody knows when: a doubt, never a plan.
    (
        "The port's owner said it was too early to say when sailings would resume.",
        [("operating", "unconfirmed", False, None)],
    ),
    (
        "The festival did not say whether it would return in 2027.",
        [("operating", "unconfirmed", False, "2027")],
    ),
    (
        "No date has been set for the reopening of the bridge.",
        [("operating", "unconfirmed", False, None)],
    ),
    # "no proposal to lift the ban": a denial.
    (
        "The government has no proposal to lift the ban on onion exports, the secretary said.",
        [("cancelled", "denied", False, None)],
    ),
    # A state said to last is the state now, not a change to come.
    (
        "Irish Ferries said its sailings would remain suspended until at least the same date.",
        [("suspended", "reported", False, None)],
    ),
    (
        '"The ban will continue until domestic supply is comfortable," he said.',
        [("operating", "reported", False, None)],
    ),
    (
        "Lufthansa said it would extend the suspension of its flights until March 31.",
        [("suspended", "reported", False, None)],
    ),
    # "extends ... to the end of March": the end of the suspension, not its start.
    (
        "Lufthansa extends Tel Aviv flight suspension to end of March",
        [("suspended", "reported", False, None)],
    ),
    # Runs cancelled because of a suspension, or a change named only to place another.
    ("Passengers booked on cancelled flights can rebook free of charge.", []),
    (
        "Lufthansa resumed flights to Tel Aviv in September after a previous suspension.",
        [("operating", "reported", False, "September 2025")],
    ),
    (
        "The airline will run one daily flight, down from three before the suspension.",
        [("operating", "planned", False, None)],
    ),
    (
        "The airline cancelled flights to Tel Aviv on Monday.",
        [("cancelled", "reported", False, "2026-03-09")],
    ),
    # Another carrier's flights.
    ("Other European carriers have also paused flights to Israel this month.", []),
    # "banned onion exports": the ban imposed (in force), in the ban's perspective.
    (
        "India banned onion exports in December 2025.",
        [("operating", "reported", False, "December 2025")],
    ),
    # A postponement to a new date is also the plan for that date.
    (
        "The reopening of the port to ferries has been delayed until March 25 after engineers "
        "found further damage, the operator said.",
        [("suspended", "reported", False, None), ("operating", "planned", False, "2026-03-25")],
    ),
    (
        "Bridge reopening pushed back to June",
        [("suspended", "reported", False, None), ("operating", "planned", False, "June 2026")],
    ),
    (
        "The organisers have postponed the festival to March 2027.",
        [("suspended", "reported", False, None), ("operating", "planned", False, "March 2027")],
    ),
    ("The flight was delayed by two hours because of fog.", []),
    # A plan told as past did not happen (yet).
    (
        "The crossing had been expected to open early this month.",
        [("operating", "planned", True, "March 2026")],
    ),
    (
        "The bridge was originally scheduled to reopen on March 9.",
        [("operating", "planned", True, "2026-03-09")],
    ),
    # A named event held on a date, though no event noun names it.
    (
        "Primavera Sound will be held on November 7 and 8 at Parque Cerrillos.",
        [("operating", "planned", False, "2026-11-07")],
    ),
    ("The hearing will take place on Monday.", []),
    # "three months after it closed": the closure dated back from the report.
    (
        "The bridge reopened on Sunday evening, three months after it closed for repairs.",
        [
            ("operating", "reported", False, "2026-03-08"),
            ("suspended", "reported", False, "December 2025"),
        ],
    ),
]


@pytest.mark.parametrize(("sentence", "expected"), WIRE_CASES)
def test_extract_events_wire_copy(sentence: str, expected: Expected) -> None:
    assert _shape(extract_events(sentence, published=SEED_DAY)) == expected


def test_restriction_of_a_ban_verb() -> None:
    assert restriction_of("banned") == "ban"
    assert restriction_of("resumed") is None


@pytest.mark.parametrize(
    ("sentence", "kinds"),
    [
        ("Officials said it was too early to say when sailings would resume.", ["unconfirmed"]),
        (
            "Lufthansa is expected to resume flights on Sunday, though the airline has not "
            "confirmed the date.",
            ["unconfirmed"],
        ),
        ("The government has no proposal to lift the ban, the secretary said.", ["denied"]),
    ],
)
def test_caveat_cues_wire_copy(sentence: str, kinds: list[str]) -> None:
    assert caveat_cues(sentence) == kinds


# ----------------------------------------------------------------------------- probe round 3

PROBE3_DAY = dt.date(2026, 2, 18)


def _states(sentence: str) -> list[tuple[str, str]]:
    return [(e.state, e.modality) for e in extract_events(sentence, published=PROBE3_DAY)]


def test_other_parties_changing_their_own_services_are_no_event() -> None:
    # Whatever the verb: "other airlines ... cancelled", not only the gated ones.
    assert (
        _states("Other airlines, including Qatar Airways, also cancelled flights to Syria.") == []
    )
    # The tracked carrier's own clause keeps its event.
    assert _states(
        "Other airlines resumed flights in March, and the carrier suspended its flights on Tuesday."
    ) == [("suspended", "reported")]


def test_leaving_trucks_stranded_is_no_departure() -> None:
    assert _states("Trade was suspended, leaving hundreds of trucks stranded on both sides.") == [
        ("suspended", "reported")
    ]
    assert _states("The train left Beijing on Thursday.") == [("operating", "reported")]


def test_full_service_cue() -> None:
    from bot.analysis.events import full_service

    assert full_service("Poland fully reopened the crossing on Monday.")
    assert full_service("Trains returned to their normal timetable on Monday.")
    assert not full_service("The crossing reopened to freight trucks on April 16.")
    assert not full_service("The crossing will not be fully reopened until June.")


def test_ban_as_a_planned_verb_and_compound_restriction_nouns() -> None:
    # "will ban exports": a ban imposed, planned (the ban's own perspective: in force).
    assert _states("The country will ban exports of palm oil from April 28.") == [
        ("operating", "planned")
    ]
    # "lift its palm oil export ban": the service noun qualifies the ban, it is no object.
    assert _states("The country will lift its palm oil export ban on May 25.") == [
        ("cancelled", "planned")
    ]
    # A service noun between as a preposition's object still blocks: the strike is a cause.
    events = extract_events("The airline halted flights amid the strike.", published=PROBE3_DAY)
    assert [(e.state, restriction_of(e.trigger)) for e in events] == [("suspended", None)]
    # "bans all flights" no longer trips over its own restriction noun.
    assert _states("The country bans all flights to the island.") == [("operating", "reported")]


def test_correction_notice_denies_what_the_earlier_version_said() -> None:
    assert _states(
        "Correction: An earlier version of this story said the crossing had reopened on Monday."
    ) == [("operating", "denied")]
    assert _states("The crossing reopened on Monday.") == [("operating", "reported")]
