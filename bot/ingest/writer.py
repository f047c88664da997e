"""The one writer: where collection does its CPU work and its writes, away from the replies.

Collection has two halves. Waiting on the network is cheap and lives on the event loop. Parsing
feeds, extracting pages, analysing articles and writing them is CPU work that holds the GIL for
seconds at a time, so it runs here, one call at a time, on one connection: SQLite wants one
writer, and WAL lets every reader (the replies) go on reading beside it.

- `ThreadWriter`: a worker thread. Right for the command line (`feeds poll`, `ingest URL`),
  where nobody else is waiting on the interpreter.
- `ProcessWriter`: a child process. Right wherever replies are answered meanwhile (the Telegram
  bot, the console): a large poll's analysis cannot take the GIL from a `/status`. Measured by
  bench/poll_latency.py: /status p95 1.2x its idle figure during a 2,000-entry poll, against 9x
  with a thread writer.

Both run `fn(db, *args)` and return its result; `fn` must be a module-level function (a child
process receives it by name) and its arguments and result picklable.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Protocol, TypeVar

import sqlite_utils

from bot.store import open_db

log = logging.getLogger(__name__)

T = TypeVar("T")


class Writer(Protocol):
    """Runs store work in order, on the one writing connection."""

    async def run(self, fn: Callable[..., T], *args: Any) -> T: ...

    async def close(self) -> None: ...


class ThreadWriter:
    """One thread, one connection."""

    def __init__(self, db_path: Path | str) -> None:
        self.db_path = db_path
        self._executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="briefbot-w")
        self._db: sqlite_utils.Database | None = None

    def _call(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        if self._db is None:
            self._db = open_db(self.db_path)
        return fn(self._db, *args)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._call, fn, args)

    async def close(self) -> None:
        def close() -> None:
            if self._db is not None:
                self._db.conn.close()
                self._db = None

        with contextlib.suppress(RuntimeError):  # already shut down
            await asyncio.get_running_loop().run_in_executor(self._executor, close)
        self._executor.shutdown(wait=False)


# ----------------------------------------------------------------------------- child process

_child_db: sqlite_utils.Database | None = None
_child_path: str | None = None


def _child_init(db_path: str, log_level: int) -> None:
    global _child_path
    _child_path = db_path
    logging.basicConfig(level=log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _child_call(fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    global _child_db
    if _child_db is None:
        assert _child_path is not None
        _child_db = open_db(_child_path)
    return fn(_child_db, *args)


class ProcessWriter:
    """One child process, one connection; the child keeps its caches (the gazetteer, the
    tagger) warm between calls. A child that dies is replaced on the next call."""

    def __init__(self, db_path: Path | str) -> None:
        self.db_path = str(db_path)
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def _executor(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: the parent has threads (PTB, the DB worker) that fork would copy
            # mid-flight, locks and all.
            self._pool = concurrent.futures.ProcessPoolExecutor(
                1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_child_init,
                initargs=(self.db_path, logging.getLogger("bot").getEffectiveLevel()),
            )
        return self._pool

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor(), _child_call, fn, args)
        except BrokenProcessPool:
            log.error("the ingest process died; starting a new one for the next call")
            pool, self._pool = self._pool, None
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            raise

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            # Waits for the call in flight: a batch is written whole or not at all either way,
            # but letting it finish keeps the work already done.
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in the block after `seconds`, where that can be done: in a process's
    main thread (the ProcessWriter's child runs its calls there), through SIGALRM. Elsewhere
    (a thread writer) the block runs to its end and the caller checks the time it took.

    The alarm interrupts Python code between bytecodes, so a parser looping in Python stops on
    time; one long C call delays it until it returns.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
