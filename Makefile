# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint typecheck pytest clean train

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever pyproject.toml changes. Without compiling the installed packages (13 s
# of a fresh clone's 30 s install): `make test` keeps its compiled modules apart, under
# $(VENV)/pycache, and never reads the ones pip would write beside the sources; elsewhere
# Python compiles a module the first time it is imported.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-compile -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mutualise demo

# The type check runs beside the tests: on a fresh clone mypy has no cache and keeps one
# core busy for about 20 s, while the tests' workers are still importing; its verdict is
# printed after theirs, and either failing fails `make test`.
# Compiled modules and pytest's rewritten tests are kept under the virtualenv from one run
# to the next, even where PYTHONDONTWRITEBYTECODE is set: otherwise each worker and each
# service a test starts compiles them all again (about a second each). Our own modules are
# compiled once before the workers start (half a second), not by both workers at once.
test: export PYTHONPYCACHEPREFIX := $(CURDIR)/$(VENV)/pycache
test: export PYTHONDONTWRITEBYTECODE :=
test: lint $(STAMP)
	@$(BIN)/mypy > $(VENV)/mypy.log 2>&1 & checking=$$!; \
	$(BIN)/python -m compileall -q bot handlers mail scheduler storage; \
	$(BIN)/pytest -n auto $(PYTEST_ARGS); tests=$$?; \
	wait $$checking; types=$$?; \
	echo "$(BIN)/mypy"; cat $(VENV)/mypy.log; \
	[ $$tests -eq 0 ] && [ $$types -eq 0 ]

# Every benchmark at reduced sizes, one table; the full sizes: $(BIN)/python benchmarks/all.py --full
bench: $(STAMP)
	$(BIN)/python benchmarks/all.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# One worker per core; `make pytest PYTEST_ARGS="-m 'not e2e'"` leaves out the runs of the
# service as a process of its own.
PYTEST_ARGS ?=
pytest: $(STAMP)
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) mutualise-demo .pytest_cache .mypy_cache .ruff_cache

# The reading's learned models, from the annotated sets (scikit-learn is needed here only).
train: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[train]'
	$(BIN)/python data/train_intent.py --evaluate
	$(BIN)/python data/train_mentions.py --evaluate
