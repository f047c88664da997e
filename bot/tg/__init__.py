"""The Telegram front end: the only package that imports `telegram` (tests/test_layering.py)."""

from bot.tg.app import build_application, run_polling

__all__ = ["build_application", "run_polling"]
