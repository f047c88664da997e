"""`briefbot feeds …` and `briefbot ingest URL`, in process, against real HTTP on 127.0.0.1
(tests.test_poll's Site) and database files under tmp_path."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import logs
from bot.cli import main
from bot.config import ROOT
from bot.ingest.feeds import load_feed_specs
from bot.store import feeds as store_feeds
from bot.store import open_db
from tests.test_poll import (
    DREDGING_TEXT,
    RSS,
    TRAIN_REPORTS,
    Site,
    item,
    page,
    rss,
    running_site,
    serve_wire,
)

SEEDS = ROOT / "seeds"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL", "BRIEFBOT_ADMINS",
                 "BRIEFBOT_LOG_LEVEL", "BRIEFBOT_FEED_FAIL_DAYS"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BRIEFBOT_DB", str(tmp_path / "briefbot.db"))
    monkeypatch.setenv("BRIEFBOT_ALLOW_HOSTS", "127.0.0.1")
    monkeypatch.setenv("BRIEFBOT_FETCH_DELAY", "0")
    yield
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler is logs._handler:
            root.removeHandler(handler)
    logs._handler = None


@pytest.fixture
def site() -> Iterator[Site]:
    with running_site() as s:
        yield s


def feeds_in(db_path: Path) -> list[tuple[str, str | None, str | None]]:
    db = open_db(db_path)
    try:
        return sorted((f.url, f.outlet, f.language) for f in store_feeds.list_feeds(db))
    finally:
        db.conn.close()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


# ----------------------------------------------------------------------------- add, list, remove


def test_add_list_remove(site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = serve_wire(site)
    rc, out, err = run(capsys, "feeds", "add", url, "--outlet", "Northern Wire Service")
    assert rc == 0, err
    assert out.startswith("Following #1 Northern Wire Service (6 entries in it now).")

    rc, out, err = run(capsys, "feeds", "add", url)
    assert rc == 0 and out.startswith("Already following #1")

    rc, out, err = run(capsys, "feeds", "add", "http://10.0.0.7/rss.xml")
    assert rc == 1 and out == ""
    assert "Could not follow http://10.0.0.7/rss.xml: refused: 10.0.0.7 is a private address" in err

    rc, out, _ = run(capsys, "feeds", "list")
    assert rc == 0
    assert "[new] #1 Northern Wire Service — 0 articles, not polled yet" in out
    assert url in out
    rc, out, _ = run(capsys, "feeds", "list", "--format", "json")
    listed = json.loads(out)
    assert [(f["id"], f["url"], f["health"]) for f in listed["feeds"]] == [(1, url, "new")]

    rc, out, err = run(capsys, "feeds", "remove", "nonesuch")
    assert rc == 1 and 'No feed matches "nonesuch"' in err
    rc, out, err = run(capsys, "feeds", "remove", "northern wire service")
    assert rc == 0 and out.startswith("No longer following #1 Northern Wire Service")
    assert feeds_in(tmp_path / "briefbot.db") == []


def test_add_with_a_language(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The feed says <language>en</language>; the admin knows better.
    url = site.serve("/ko.xml", rss(item("Harbour report", None, text=DREDGING_TEXT)), RSS)
    rc, _, err = run(capsys, "feeds", "add", url, "--outlet", "Korean Desk", "--language", "KO")
    assert rc == 0, err
    assert feeds_in(tmp_path / "briefbot.db") == [(url, "Korean Desk", "ko")]

    rc, _, err = run(capsys, "feeds", "add", url, "--language", "Korean")
    assert rc == 2 and "ISO 639-1" in err


# ----------------------------------------------------------------------------- import, export


def test_opml_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    rc, out, err = run(capsys, "feeds", "import", str(SEEDS / "feeds.toml"), "--db", str(first))
    specs = load_feed_specs(SEEDS / "feeds.toml")
    assert rc == 0, err
    assert out.startswith(f"{len(specs)} feeds added, 0 already followed")
    expected = sorted((s.url, s.outlet, s.language) for s in specs)
    assert feeds_in(first) == expected

    rc, out, err = run(capsys, "feeds", "import", str(SEEDS / "feeds.toml"), "--db", str(first))
    assert out.startswith(f"0 feeds added, {len(specs)} already followed")

    opml = tmp_path / "feeds.opml"
    rc, _, err = run(capsys, "feeds", "export", str(opml), "--db", str(first))
    assert rc == 0 and f"{len(specs)} feeds written to {opml}" in err
    rc, out, _ = run(capsys, "feeds", "export", "--db", str(first))
    assert _undated(out) == _undated(opml.read_text("utf-8"))  # stdout: the same document

    rc, out, err = run(capsys, "feeds", "import", str(opml), "--db", str(second))
    assert rc == 0 and out.startswith(f"{len(specs)} feeds added")
    assert feeds_in(second) == expected


def _undated(opml: str) -> list[str]:
    """The document's lines but its creation time (two exports differ in that alone)."""
    return [line for line in opml.splitlines() if "<dateCreated>" not in line]


def test_import_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_text("<html><body>not opml</body></html>")
    rc, _, err = run(capsys, "feeds", "import", str(bad))
    assert rc == 2 and err.startswith(f"briefbot: {bad}: not OPML")
    rc, _, err = run(capsys, "feeds", "import", str(tmp_path / "missing.opml"))
    assert rc == 2 and "cannot read" in err


# ----------------------------------------------------------------------------- poll


def test_poll_summary_and_exit_codes(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, _, err = run(capsys, "feeds", "poll")
    assert rc == 0 and "no feeds to poll" in err

    wire = serve_wire(site)
    assert run(capsys, "feeds", "add", wire)[0] == 0
    # `feeds add` would refuse a feed that fails its check: this one broke after it was added.
    down = site.serve("/down.xml", rss(), RSS)
    assert run(capsys, "feeds", "add", down, "--outlet", "Down Daily")[0] == 0
    site.serve("/down.xml", "no", RSS, status=500)

    rc, out, err = run(capsys, "feeds", "poll")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0] == "2 feeds polled: 0 not modified, 6 new articles, 0 duplicates, 1 error"
    assert f"  error {down}: HTTP 500 Internal Server Error" in lines

    rc, out, _ = run(capsys, "feeds", "poll", "1")  # by id: the wire again, all duplicates
    assert rc == 0
    assert out.splitlines()[0] == (
        "1 feed polled: 0 not modified, 0 new articles, 6 duplicates, 0 errors"
    )

    rc, out, _ = run(capsys, "feeds", "poll", down)  # every feed polled failed: exit 1
    assert rc == 1
    assert out.splitlines()[0] == (
        "1 feed polled: 0 not modified, 0 new articles, 0 duplicates, 1 error"
    )
    rc, out, _ = run(capsys, "feeds", "poll", "--quiet", down)
    assert rc == 1 and "1 error" in out  # --quiet still reports failures

    rc, _, err = run(capsys, "feeds", "poll", "99")
    assert rc == 2 and "no feed '99'" in err


def test_progress_bar_only_on_a_terminal(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = [
        site.serve(f"/{n}.xml", rss(item(f"Story {n}", None, text=f"{n}. {DREDGING_TEXT}")), RSS)
        for n in range(3)
    ]
    for url in urls:
        assert run(capsys, "feeds", "add", url)[0] == 0

    rc, out, err = run(capsys, "feeds", "poll")
    assert rc == 0 and out.startswith("3 feeds polled")
    assert err == ""  # not a terminal: no bar (and nothing else)

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    rc, out, err = run(capsys, "feeds", "poll")
    assert rc == 0 and out.startswith("3 feeds polled")
    # tqdm drew its bar (redraws within 0.1 s are skipped, so only the first is certain).
    assert "\rpoll:" in err and "0/3" in err and "feed/s" in err


# ----------------------------------------------------------------------------- ingest URL


def test_ingest_urls_and_files(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (outlet, (title, *paragraphs)) = next(iter(TRAIN_REPORTS.items()))
    url = site.serve(
        "/news/train", page(title, *paragraphs, date="2026-03-10T09:30:00Z", site=outlet)
    )
    seed = next(SEEDS.glob("*.txt"))
    refused = "http://10.0.0.1/news/1"
    missing = site.url("/news/gone")

    rc, out, err = run(capsys, "ingest", url, refused, str(seed), missing)
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0] == f"2 added, 0 duplicates, 2 skipped ({tmp_path / 'briefbot.db'})"
    assert lines[1].startswith(f"  indexed: {title} — {outlet}, 2026-03-10; ")
    assert f"  skipped {refused}: refused: 10.0.0.1 is a private address" in lines
    assert f"  skipped {missing}: HTTP 404 Not Found" in lines
    assert site.count("/news/train") == 1

    rc, out, err = run(capsys, "ingest", url)
    assert rc == 0
    assert out.splitlines()[0].startswith("0 added, 1 duplicate, 0 skipped")
    assert out.splitlines()[1].startswith(f"  already indexed: {title} — {outlet}, 2026-03-10")

    rc, out, err = run(capsys, "ingest", "--quiet", refused, "http://169.254.169.254/latest")
    assert rc == 1 and out == ""  # nothing at all could be read: a failure, said on stderr
    assert "0 added, 0 duplicates, 2 skipped" in err
    assert f"skipped {refused}: refused: 10.0.0.1 is a private address" in err
    assert "refused: 169.254.169.254 is a link-local address" in err


def test_ingest_the_same_text_under_another_url(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    # A syndicated copy: the same article at a second address is a duplicate of the first.
    (outlet, (title, *paragraphs)) = next(iter(TRAIN_REPORTS.items()))
    html = page(title, *paragraphs, site=outlet)
    first, copy = site.serve("/news/a", html), site.serve("/syndicated/a", html)
    assert run(capsys, "ingest", first)[0] == 0
    rc, out, err = run(capsys, "ingest", copy)
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("0 added, 1 duplicate, 0 skipped")
    assert lines[1].startswith(f"  already indexed: {title} — {outlet}, 2026-03-11; ")
    assert "None" not in out and "undated" not in out
