"""bot.analysis.service: how often a service runs and between where, as sentences say it."""

from __future__ import annotations

import pytest

from bot.analysis.service import describe, frequency, route


@pytest.mark.parametrize(
    ("text", "per_week", "written"),
    [
        ("The service will run daily between Nanning and Hanoi.", 7, "daily"),
        ("Daily flights resumed on Monday.", 7, "daily"),
        ("Trains run every day except during the holiday.", 7, "every day"),
        ("Ferries sail seven days a week in summer.", 7, "seven days a week"),
        ("The K27 will run four times a week.", 4, "four times a week"),
        ("It operates 3 times per week.", 3, "3 times per week"),
        ("Two trains a day will link the cities.", 14, "two trains a day"),
        ("The carrier plans twice-weekly flights.", 2, "twice-weekly"),
        ("Flights resumed twice weekly.", 2, "twice weekly"),
        ("A weekly service to Vladivostok resumed.", 1, "weekly"),
        ("Trains leave on Tuesdays and Fridays.", 2, "on Tuesdays and Fridays"),
        (
            "It departs on Mondays, Wednesdays and Saturdays.",
            3,
            "on Mondays, Wednesdays and Saturdays",
        ),
        ("Sailings run every other day.", 3.5, "every other day"),
    ],
)
def test_frequencies(text: str, per_week: float, written: str) -> None:
    found = frequency(text)
    assert found is not None
    assert found.per_week == per_week
    assert found.text == written


@pytest.mark.parametrize(
    "text",
    [
        "The daily newspaper Rodong Sinmun did not mention the train.",
        "It publishes a weekly magazine for travellers.",
        "Trains resumed on Tuesday.",  # one day, not a timetable
        "Passengers waited for days at the border.",
        "",
    ],
)
def test_no_frequency(text: str) -> None:
    assert frequency(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It runs daily between Dandong and Pyongyang.", ("Dandong", "Pyongyang")),
        ("The train from Beijing to Pyongyang left on time.", ("Beijing", "Pyongyang")),
        ("The Beijing-Pyongyang service resumed.", ("Beijing", "Pyongyang")),
        ("The Hanoi–Nanning sleeper is full.", ("Hanoi", "Nanning")),
        ("Trains will run between March and April.", None),
        ("Talks between Kim and Xi went well.", None),
        ("The Pyongyang-bound train left.", None),
    ],
)
def test_routes(text: str, expected: tuple[str, str] | None) -> None:
    assert route(text) == expected


def test_describe() -> None:
    assert describe(frequency("runs four times a week"), ("Beijing", "Pyongyang")) == (
        "four times a week, Beijing–Pyongyang"
    )
    assert describe(None, ("Dandong", "Sinuiju")) == "Dandong–Sinuiju"
    assert describe(frequency("daily flights"), None) == "daily"
