"""The briefbot CLI: verbs on a temporary database, formats, exit codes, logging hygiene."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import logs
from bot.cli import build_parser, main, parse_as_of
from bot.config import ROOT
from bot.render import check_html
from bot.store import open_db

SEEDS = ROOT / "seeds"
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in ("TELEGRAM_BOT_TOKEN", "BRIEFBOT_DB", "TELEGRAM_API_URL", "BRIEFBOT_ADMINS",
                 "BRIEFBOT_LOG_LEVEL"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BRIEFBOT_DB", str(tmp_path / "env-default.db"))
    yield
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler is logs._handler:
            root.removeHandler(handler)
    logs._handler = None


# ----------------------------------------------------------------------------- parsing


def test_as_of() -> None:
    assert parse_as_of("2026-03-11") == dt.datetime(2026, 3, 11, 23, 59, 59, tzinfo=dt.UTC)
    assert parse_as_of("2026-03-11T08:00Z") == dt.datetime(2026, 3, 11, 8, tzinfo=dt.UTC)
    assert parse_as_of("2026-03-11T08:00") == dt.datetime(2026, 3, 11, 8, tzinfo=dt.UTC)
    assert parse_as_of("2026-03-11T09:00+09:00") == dt.datetime(2026, 3, 11, 0, tzinfo=dt.UTC)


def test_bad_as_of_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["status", "x", "--as-of", "last tuesday"])
    assert exc.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_every_verb_takes_db() -> None:
    parser = build_parser()
    for argv in (["run"], ["ingest", "p"], ["search", "q"], ["brief", "q"], ["status", "q"],
                 ["timeline", "q"], ["topics"], ["sources"], ["resolve", "q"]):  # fmt: skip
        args = parser.parse_args([*argv, "--db", "x.db"])
        assert args.db == "x.db"
    assert parser.parse_args(["--db", "y.db", "topics"]).db == "y.db"


def test_config_error_is_clean(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BRIEFBOT_LOG_LEVEL", "LOUD")
    assert main(["topics"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("briefbot: BRIEFBOT_LOG_LEVEL") and "Traceback" not in err


# ----------------------------------------------------------------------------- ingest


def test_ingest_seeds_then_duplicates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "a.db"
    assert main(["ingest", "--db", str(db), str(SEEDS)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 added, 0 duplicates, 0 skipped")
    assert main(["ingest", "--db", str(db), str(SEEDS)]) == 0
    assert capsys.readouterr().out.startswith("0 added, 1 duplicate, 0 skipped")
    assert main(["ingest", "--quiet", "--db", str(db), str(SEEDS)]) == 0
    assert capsys.readouterr().out == ""


def test_ingest_reports_skips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(next(SEEDS.glob("*.txt")), src / "seed.txt")
    (src / "empty.txt").write_text("")
    (src / "blob.bin").write_bytes(b"\x00\x01\x02" * 100)
    assert main(["ingest", "--db", str(tmp_path / "b.db"), str(src)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 added") and "skipped" in out and "empty.txt" in out


def test_ingest_nothing_readable_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["ingest", "--quiet", "--db", str(tmp_path / "c.db"), str(tmp_path / "missing")])
    assert rc == 1
    err = capsys.readouterr().err
    assert "0 added" in err and "missing" in err


# ----------------------------------------------------------------------------- queries


@pytest.fixture
def db(seeded_db_path: Path) -> str:
    return str(seeded_db_path)


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main([*argv, "--format", "json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def test_status_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "status", "beijing-pyongyang", "--db", db, "--as-of", "2026-03-11")
    for key in ("situation", "title", "as_of", "state", "since", "previous", "upcoming",
                "timeline", "caveats", "confidence", "newest_report"):  # fmt: skip
        assert key in data
    assert data["as_of"] == "2026-03-11T23:59:59Z"
    assert data["state"] in {"operating", "suspended", "cancelled", "unknown"}


def test_timeline_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "timeline", "beijing", "pyongyang", "--db", db)
    assert "timeline" in data


def test_brief_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "brief", "dprk", "--db", db, "--as-of", "2026-03-12")
    assert data["topic"] == "dprk" and data["window"]["from"] and data["window"]["to"]
    assert "stories" in data and "as_of" in data
    for story in data["stories"]:
        assert {"key_sentence", "outlets", "articles", "newest"} <= set(story)


def test_search_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "search", "train", "tickets", "--db", db)
    assert data["query"] == "train tickets" and data["total"] >= 1
    assert {"article", "snippet", "score"} <= set(data["hits"][0])


def test_lists(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["topics", "--db", db]) == 0
    assert "beijing-pyongyang" in capsys.readouterr().out
    assert main(["sources", "--db", db]) == 0
    assert "1 article" in capsys.readouterr().out
    data = run_json(capsys, "sources", "--db", db)
    assert data["articles"] == 1


def test_html_format_is_telegram_html(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "beijing-pyongyang", "--db", db, "--format", "html"]) == 0
    out = capsys.readouterr().out
    for chunk in out.split("\n\n\n"):
        check_html(chunk.strip())


def test_text_format(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "beijing-pyongyang", "--db", db, "--as-of", "2026-03-11"]) == 0
    out = capsys.readouterr().out
    assert "Beijing–Pyongyang" in out and "<b>" not in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["brief", "zzqx"], "zzqx"),
        (["status", "atlantis-lemuria"], ""),
        (["search", "*"], "search"),
    ],
)
def test_user_errors_exit_2(
    db: str, capsys: pytest.CaptureFixture[str], argv: list[str], words: str
) -> None:
    assert main([*argv, "--db", db]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and words in captured.err and "Traceback" not in captured.err


def test_db_flag_beats_environment(
    db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BRIEFBOT_DB", str(tmp_path / "other.db"))
    data = run_json(capsys, "sources", "--db", db)
    assert data["articles"] == 1
    open_db(tmp_path / "other.db").conn.close()  # an empty database
    data = run_json(capsys, "sources")
    assert data["articles"] == 0


def test_asking_a_missing_database_says_so_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo" / "b.db"
    assert main(["search", "train", "--db", str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"there is no database at {missing}" in err and "briefbot ingest" in err
    assert not missing.parent.exists()


@pytest.mark.parametrize("verb", [["search", "train"], ["ingest", "seeds"], ["run"]])
def test_a_path_that_is_not_a_database_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], verb: list[str]
) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("not sqlite at all\n" * 100)
    assert main([*verb, "--db", str(bogus)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("briefbot: cannot use") and "not a database" in err
    assert "Traceback" not in err


def test_run_without_token_is_the_console(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("/help\nquit\n"))
    assert main(["run", "--db", db]) == 0
    assert "What I can do" in capsys.readouterr().out


# ----------------------------------------------------------------------------- logging


def test_logging_redacts_tokens() -> None:
    stream = io.StringIO()
    logs.setup_logging("DEBUG", TOKEN, stream=stream)
    log = logging.getLogger("httpx.fake")
    logging.getLogger("test").info("POST https://api.telegram.org/bot%s/getMe", TOKEN)
    logging.getLogger("test").info("unknown token bot987654:%s in a url", "x" * 35)
    logging.getLogger("test").info("url-encoded %s", TOKEN.replace(":", "%3A"))
    try:
        raise RuntimeError(f"failed https://api.telegram.org/bot{TOKEN}/sendMessage")
    except RuntimeError:
        logging.getLogger("test").exception("boom")
    log.info("httpx request line with %s", TOKEN)  # below WARNING: dropped
    text = stream.getvalue()
    assert TOKEN not in text and TOKEN.split(":")[1] not in text and "x" * 35 not in text
    assert text.count("<redacted>") >= 4
    assert "httpx request line" not in text
    assert logging.getLogger("httpx").level == logging.WARNING


def test_logging_set_up_once() -> None:
    logs.setup_logging("INFO", None, stream=io.StringIO())
    logs.setup_logging("WARNING", TOKEN, stream=io.StringIO())
    root = logging.getLogger()
    assert sum(1 for h in root.handlers if h is logs._handler) == 1
    assert root.level == logging.WARNING
    assert TOKEN in logs.redactor().secrets


def test_query_words_after_options_are_still_the_query(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = run_json(capsys, "brief", "dprk", "--db", db, "--as-of", "2026-03-13", "3d")
    # "3d" is the period: the 3 days to the end of 2026-03-13, which hold the seed article.
    assert data["window"] == {"from": "2026-03-10T23:59:59Z", "to": "2026-03-13T23:59:59Z"}
    assert not data["fallback"] and data["total_stories"] == 1
    data = run_json(capsys, "search", "train", "--db", db, "-tourists")
    assert data["query"] == "train -tourists"
    with pytest.raises(SystemExit):
        main(["search", "train", "--db", db, "--formt", "json"])
