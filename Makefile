# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The database: BRIEFBOT_DB when set (as the bot itself reads it), else ./data/briefbot.db.
DB     ?= $(or $(BRIEFBOT_DB),data/briefbot.db)

.PHONY: run test lint bench install dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The stamp files re-install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

dev: $(VENV)/.installed-dev

# Index the seeds (a no-op when already indexed), then run the bot: Telegram when
# TELEGRAM_BOT_TOKEN is set, the local console otherwise.
run: $(VENV)/.installed
	$(BIN)/briefbot ingest --db $(DB) --quiet seeds
	$(BIN)/briefbot run --db $(DB)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/query.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
