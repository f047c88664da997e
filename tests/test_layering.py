"""The shape of the code: only bot/tg talks to Telegram (DESIGN.md rule 2).

Two checks: a static one over every module's imports (ast, so nothing is executed), and a dynamic
one that imports the domain packages in a fresh interpreter and looks for `telegram` in
sys.modules, which also catches an import that arrives indirectly.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from bot.config import ROOT

BOT = ROOT / "bot"
TG = BOT / "tg"
# Front ends that may start the Telegram layer (lazily, when a token is configured).
MAY_IMPORT_TG = {BOT / "cli.py", BOT / "__main__.py"}
# The domain: never telegram, never bot.tg.
DOMAIN = ["commands.py", "render.py", "console.py", "briefing", "store", "analysis", "ingest"]
DYNAMIC_IMPORTERS = {"import_module", "__import__", "find_spec"}


def modules() -> list[Path]:
    return sorted(p for p in BOT.rglob("*.py") if "__pycache__" not in p.parts)


def imported_names(path: Path) -> list[tuple[int, str]]:
    return imports_in(path.read_text(encoding="utf-8"), path)


def imports_in(source: str, path: Path) -> list[tuple[int, str]]:
    """(line, dotted module name) for every import in `source` (the text of module `path`),
    including relative imports and importlib/__import__ calls with a literal name."""
    tree = ast.parse(source, filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                package = path.relative_to(ROOT).with_suffix("").parts[: -node.level]
                base = ".".join(package)
                found.append((node.lineno, f"{base}.{node.module}" if node.module else base))
                if not node.module:
                    found.extend((node.lineno, f"{base}.{a.name}") for a in node.names)
            elif node.module:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in DYNAMIC_IMPORTERS and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.append((node.lineno, first.value))
    return found


def is_telegram(name: str) -> bool:
    return name == "telegram" or name.startswith("telegram.")


def is_tg(name: str) -> bool:
    return name == "bot.tg" or name.startswith("bot.tg.")


def inside(path: Path, folder: Path) -> bool:
    return folder in path.parents


def test_the_walker_sees_the_code() -> None:
    found = modules()
    assert TG / "app.py" in found
    assert BOT / "models.py" in found
    for name in DOMAIN:
        target = BOT / name
        if target.exists():
            expected = [target] if target.is_file() else list(target.rglob("*.py"))
            assert set(expected) <= set(found), name


def test_the_walker_finds_every_import_form() -> None:
    source = (
        "import telegram\n"
        "from telegram.ext import Application\n"
        "import importlib\n"
        "importlib.import_module('telegram.constants')\n"
        "__import__('telegram')\n"
        "from .tg import app\n"
        "from . import tg\n"
        "def f():\n    import telegram.error\n"
    )
    names = [name for _, name in imports_in(source, BOT / "sample.py")]
    assert names.count("telegram") == 2
    assert {"telegram.ext", "telegram.constants", "telegram.error", "bot.tg"} <= set(names)
    assert sum(is_tg(n) for n in names) == 2
    assert sum(is_telegram(n) for n in names) == 5


def test_only_bot_tg_imports_telegram() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in modules()
        if not inside(path, TG)
        for line, name in imported_names(path)
        if is_telegram(name)
    ]
    assert offenders == [], "telegram outside bot/tg:\n" + "\n".join(offenders)


def test_domain_does_not_reach_into_bot_tg() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in modules()
        if not inside(path, TG) and path not in MAY_IMPORT_TG
        for line, name in imported_names(path)
        if is_tg(name)
    ]
    assert offenders == [], "bot.tg imported outside the front ends:\n" + "\n".join(offenders)


def test_importing_the_domain_loads_no_telegram() -> None:
    names = []
    for entry in DOMAIN:
        target = BOT / entry
        if target.is_file():
            names.append(f"bot.{target.stem}")
        elif target.is_dir():
            names.extend(
                "bot."
                + ".".join(p.relative_to(BOT).with_suffix("").parts).removesuffix(".__init__")
                for p in sorted(target.rglob("*.py"))
                if "__pycache__" not in p.parts
            )
    assert names, "the walker found no domain modules"
    script = (
        "import importlib, json, sys\n"
        "failed = {}\n"
        f"for name in {names!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as exc:\n"
        "        failed[name] = repr(exc)\n"
        "print(json.dumps({'telegram': sorted(m for m in sys.modules\n"
        "                  if m == 'telegram' or m.startswith('telegram.')),\n"
        "                  'failed': failed}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["telegram"] == [], f"importing the domain loaded {result['telegram'][:5]}"
    assert result["failed"] == {}, f"domain modules that do not import: {result['failed']}"
