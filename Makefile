# The two commands of the README, and the checks behind them.
#   make run    start the service on a local SQLite file (set-up included)
#   make test   format check, lint, types, then the whole test suite (set-up included)
# and, for whoever edits the messages:
#   make catalogues   keys from the source into the template and each language's .po,
#                     then each .po compiled to the .mo the program reads

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check lint types pytest fmt bench clean catalogues

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/mlc serve --demo

test: check

check: lint types pytest

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

types: $(STAMP)
	$(BIN)/mypy

# Both cores: the suite runs on SQLite and PostgreSQL, each test on a database of its own.
pytest: $(STAMP)
	$(BIN)/python -m pytest -n 2 --durations=25

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The keys the source uses (and those the template keeps, see babel.cfg) become the
# template; each .po gets the new keys with empty texts (a test fails until they are
# written) and loses the removed ones; the .mo files are what runs, and are committed.
LOCALE := monnaie_locale/locale
BABEL_KEYWORDS := --no-default-keywords --keyword messages

catalogues: $(STAMP)
	mkdir -p var
	PYTHONPATH=. $(BIN)/pybabel extract --mapping-file babel.cfg $(BABEL_KEYWORDS) \
		--no-location --no-wrap --sort-output --project monnaie-locale \
		--copyright-holder "the monnaie-locale authors" --output-file var/messages.pot .
	mv var/messages.pot $(LOCALE)/messages.pot
	$(BIN)/pybabel update --domain messages --input-file $(LOCALE)/messages.pot \
		--output-dir $(LOCALE) --no-wrap --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile --domain messages --directory $(LOCALE) --statistics

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache .hypothesis
