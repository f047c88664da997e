"""bot.analysis.dates: resolving date expressions against the publication date."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest

from bot.analysis.dates import find_dates, find_durations, period_end, resolve_dates
from bot.config import ROOT
from bot.models import DateRef

WED = dt.date(2026, 3, 11)  # the seed's publication day, a Wednesday
MON = dt.date(2026, 3, 30)  # a Monday whose week straddles March and April
NEW_YEAR = dt.date(2025, 12, 31)

CASES: list[tuple[str, dt.date, str | None, list[tuple[str, str]]]] = [
    # explicit dates
    ("The first service leaves on Thursday, March 12.", WED, None, [("2026-03-12", "day")]),
    ("It is set to resume operations on March 12.", WED, None, [("2026-03-12", "day")]),
    ("The treaty was signed on 12 March 2026.", WED, None, [("2026-03-12", "day")]),
    ("Flights start on 2 Jan.", NEW_YEAR, None, [("2026-01-02", "day")]),
    ("The ban ended on December 28.", dt.date(2026, 1, 5), None, [("2025-12-28", "day")]),
    ("The minutes are dated 2026-02-27.", WED, None, [("2026-02-27", "day")]),
    ("Thursday, 12 March is the date.", WED, None, [("2026-03-12", "day")]),
    ("Trains were halted in 2020.", WED, None, [("2020-01-01", "year")]),
    ("Services were cut in January 2020.", WED, None, [("2020-01-01", "month")]),
    ("Services have been cut since 2020.", WED, None, [("2020-01-01", "year")]),
    ("It will reopen in October.", WED, None, [("2026-10-01", "month")]),
    ("It closed in October.", WED, None, [("2025-10-01", "month")]),
    ("It shut in March.", WED, None, [("2026-03-01", "month")]),
    ("The deal runs until October of next year.", WED, None, [("2027-10-01", "month")]),
    # modal verbs look ahead; a participle after "be" is no past
    ("The festival could instead take place in February.", WED, None, [("2027-02-01", "month")]),
    ("They denied it would be held in February.", WED, None, [("2027-02-01", "month")]),
    ("The race was held in February.", WED, None, [("2026-02-01", "month")]),
    # weekdays: tense decides
    ("Agents said on Tuesday that tickets were on sale.", WED, None, [("2026-03-10", "day")]),
    ("The train will leave on Tuesday.", WED, None, [("2026-03-17", "day")]),
    ("Flights were cancelled on Friday.", WED, None, [("2026-03-06", "day")]),
    ("The talks are due to start on Friday.", WED, None, [("2026-03-13", "day")]),
    ("The ministry spoke on Wednesday.", WED, None, [("2026-03-11", "day")]),
    ("The service resumed last Friday.", WED, None, [("2026-03-06", "day")]),
    ("It reopens next Monday.", WED, None, [("2026-03-16", "day")]),
    ("On Monday, the service restarted.", WED, None, [("2026-03-09", "day")]),
    ("Services restart on Monday.", WED, "future", [("2026-03-16", "day")]),
    # relative words
    ("Yesterday the border closed.", WED, None, [("2026-03-10", "day")]),
    ("The border reopens today.", WED, None, [("2026-03-11", "day")]),
    ("The border reopens tomorrow.", WED, None, [("2026-03-12", "day")]),
    ("Direct flights resumed last year.", WED, None, [("2025-01-01", "year")]),
    ("Flights resume next month.", WED, None, [("2026-04-01", "month")]),
    ("Tickets went on sale this year.", WED, None, [("2026-01-01", "year")]),
    ("It was halted six years ago.", WED, None, [("2020-01-01", "year")]),
    ("It was halted three months ago.", WED, None, [("2025-12-01", "month")]),
    ("It was halted two days ago.", WED, None, [("2026-03-09", "day")]),
    ("It closed a week ago.", WED, None, [("2026-03-04", "day")]),
    ("It will reopen in two weeks.", WED, None, [("2026-03-25", "day")]),
    # weeks widen to the month, or the year when the week straddles two months
    ("Services are to resume this week.", WED, None, [("2026-03-01", "month")]),
    ("Services are to resume this week.", MON, None, [("2026-01-01", "year")]),
    ("Flights stopped last week.", WED, None, [("2026-03-01", "month")]),
    ("Flights restart next week.", WED, None, [("2026-03-01", "month")]),
    ("The race is this weekend.", WED, None, [("2026-03-01", "month")]),
    # durations and numbers are not dates
    ("They decided to resume train services after six years.", WED, None, []),
    ("It was the first flight in six years.", WED, None, []),
    ("The recession is the deepest in a decade.", WED, None, []),
    ("About 2020 passengers used the line.", WED, None, []),
    ("Fares rose to $2020 in 2019.", WED, None, [("2019-01-01", "year")]),
    ("The trains may be full.", WED, None, []),
    ("Black Monday is remembered.", WED, None, []),
]


@pytest.mark.parametrize(("sentence", "published", "hint", "expected"), CASES)
def test_resolve_dates(
    sentence: str, published: dt.date, hint: str | None, expected: list[tuple[str, str]]
) -> None:
    got = resolve_dates(sentence, published=published, tense_hint=hint)
    assert [(d.value.isoformat(), d.precision) for d in got] == expected


def test_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30


def test_accepts_datetime_and_keeps_the_words() -> None:
    published = dt.datetime(2026, 3, 11, 23, 30, tzinfo=dt.UTC)
    (ref,) = resolve_dates("leaving on Thursday, March 12", published=published)
    assert ref == DateRef(dt.date(2026, 3, 12), "day", "Thursday, March 12")


def test_spans_and_since_relation() -> None:
    sentence = "No trains have run since 2020, and none until May."
    found = find_dates(sentence, published=WED, tense_hint=None)
    assert [sentence[m.start : m.end] for m in found] == ["since 2020", "until May"]
    assert [m.relation for m in found] == ["since", "until"]


def test_weekday_checks_the_year_of_a_month_day() -> None:
    # 12 March is a Thursday in 2026 and a Wednesday in 2025: the weekday picks the year.
    (ref,) = resolve_dates("on Thursday, March 12", published=dt.date(2026, 1, 20))
    assert ref.value == dt.date(2026, 3, 12)


def test_numeric_dates_unambiguous_and_via_dateparser() -> None:
    assert resolve_dates("on 25/12/2025", published=WED)[0].value == dt.date(2025, 12, 25)
    # Ambiguous day/month order goes to dateparser (month first in English by default).
    assert resolve_dates("on 03/12/2026", published=WED)[0].value == dt.date(2026, 3, 12)


def test_durations() -> None:
    found = find_durations("to resume after six years, six years after their suspension")
    assert [(d.amount, d.unit, d.pre, d.post) for d in found] == [
        (6, "year", "after", ""),
        (6, "year", "", "after"),
    ]
    assert find_durations("It closed two days ago.") == []


def test_period_end() -> None:
    assert period_end(DateRef(dt.date(2024, 2, 1), "month")) == dt.date(2024, 2, 29)
    assert period_end(DateRef(dt.date(2024, 1, 1), "year")) == dt.date(2024, 12, 31)


MEANTIME = ROOT.parent / "shared" / "data" / "meantime-en"


@pytest.mark.skipif(not (MEANTIME / "intra-doc_annotation").is_dir(), reason="MEANTIME not present")
def test_meantime_accuracy_floor() -> None:
    """Real news: most gold DATE values (day/month/year) must come out right."""
    path = ROOT / "bench" / "dates_meantime.py"
    spec = importlib.util.spec_from_file_location("dates_meantime", path)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # dataclasses look their module up while the class is built
    try:
        spec.loader.exec_module(bench)
    finally:
        sys.modules.pop(spec.name, None)
    docs = bench.load(Path(MEANTIME))
    total = correct = 0
    for doc in docs:
        for sentence in doc.sentences:
            preds = [
                ((m.start, m.end), bench._label(m.ref.value, m.ref.precision))
                for m in find_dates(sentence.text, published=doc.dct)
            ]
            for gold in sentence.golds:
                if bench._precision(gold.value) is None:
                    continue
                total += 1
                hits = [lab for span, lab in preds if bench._overlaps(span, (gold.start, gold.end))]
                correct += gold.value in hits
    assert total > 150
    assert correct / total >= 0.8


# ----------------------------------------------------------------------------- wire copy


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("YEREVAN, Feb 10 (Reuters) - Armenia will open the crossing next month.", ["2026-04-01"]),
        ("BRUSSELS, June 1 (Reuters) - Dockworkers will strike on Thursday.", ["2026-03-12"]),
        ("SEOUL, March 3, 2026 (Yonhap) -- Flights resumed on Monday.", ["2026-03-09"]),
        ("NEW DELHI (PTI) - The ban was imposed in December 2025.", ["2025-12-01"]),
    ],
)
def test_dateline_date_is_not_an_event_date(sentence: str, expected: list[str]) -> None:
    """A wire dateline's date is when the story was filed; only the body's dates count."""
    assert [r.value.isoformat() for r in resolve_dates(sentence, published=WED)] == expected


def test_dateline_end() -> None:
    from bot.analysis.dates import dateline_end

    for text, rest in [
        ("MARGARA, Armenia (AFP) - The crossing opened.", "The crossing opened."),
        ("FRANKFURT (dpa) - Lufthansa said.", "Lufthansa said."),
        ("ANKARA - Talks continue.", "Talks continue."),
        ("Yerevan (Reuters) - Talks continue.", "Talks continue."),
    ]:
        assert text[dateline_end(text) :] == rest
    # An ordinary sentence or heading has none.
    for text in ("Flights - no change.", "The UN - said nothing.", "In March 2020 (Reuters) - x"):
        assert dateline_end(text) == 0


def test_first_time_in_decades_is_no_future_date() -> None:
    """'opens for the first time in three decades' is a span back, never thirty years ahead."""
    for sentence in (
        "Border crossing opens for first time in three decades",
        "The bridge will open for the first time in six years.",
        "Exports will hit their highest level in five years.",
    ):
        assert resolve_dates(sentence, published=WED) == [], sentence
    # A plain future offset still resolves.
    assert [r.value for r in resolve_dates("It will reopen in two weeks.", published=WED)] == [
        dt.date(2026, 3, 25)
    ]
