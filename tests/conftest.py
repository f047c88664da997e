"""Shared fixtures.

- `now`: the fixed clock every test uses (the seed article's publication day, 12:00 UTC).
- `seeded_db_file`: a database ingested from seeds/ once per session (read it, never write it).
- `seeded_db`: a private copy of that database per test, open as sqlite_utils.Database.
- `fake_api`: a started tests.fakebotapi.FakeBotAPI on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import shutil
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import ROOT
from bot.ingest.pipeline import ingest_paths
from bot.store import open_db
from tests.fakebotapi import FakeBotAPI

SEEDS = ROOT / "seeds"
# The seed article was published 2026-03-11; DESIGN.md's acceptance questions are asked that day.
FIXED_NOW = dt.datetime(2026, 3, 11, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _no_scheduled_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    """`briefbot run` polls the default feeds (real outlets) in the background; tests must never
    reach the internet, so scheduled polling is off unless a test turns it on."""
    monkeypatch.setenv("BRIEFBOT_POLL_MINUTES", "0")


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never resolve a name on the network: loopback names and literal addresses only.

    A test that needs another name (a rebinding or refusal test) patches resolution itself."""
    real = socket.getaddrinfo

    def local_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host or "")
        try:
            ipaddress.ip_address(name.strip("[]"))
        except ValueError:
            if name not in ("", "localhost", "None"):
                raise socket.gaierror(socket.EAI_NONAME, f"tests are offline: {name}") from None
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local_only)


@pytest.fixture
def now() -> dt.datetime:
    return FIXED_NOW


def build_seeded_db(
    path: Path, *, now: dt.datetime = FIXED_NOW, sources: list[Path] | None = None
) -> Path:
    """Ingest `sources` (default: seeds/) into a new database at `path`; returns `path`."""
    db = open_db(path)
    try:
        ingest_paths(db, sources or [SEEDS], now=now)
    finally:
        # Closing the last connection checkpoints the WAL, so the file alone is the database.
        db.conn.close()
    return path


@pytest.fixture(scope="session")
def seeded_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_seeded_db(tmp_path_factory.mktemp("seeded") / "briefbot.db")


@pytest.fixture
def seeded_db_path(seeded_db_file: Path, tmp_path: Path) -> Path:
    """A copy of the seeded database this test may change."""
    copy = tmp_path / "briefbot.db"
    shutil.copyfile(seeded_db_file, copy)
    return copy


@pytest.fixture
def seeded_db(seeded_db_path: Path) -> Iterator[Any]:
    db = open_db(seeded_db_path)
    try:
        yield db
    finally:
        db.conn.close()


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as api:
        yield api
