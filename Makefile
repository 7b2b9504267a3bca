# Stoa — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
WORKERS ?= 2
# Test processes (pytest-xdist; each gets its own database). `make test TEST_WORKERS=0` runs in one.
TEST_WORKERS ?= auto

.PHONY: run test install dev-install lint format vendor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependency declarations change.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
dev-install: $(VENV)/.installed-dev

run: install
	$(BIN)/stoa db upgrade
	$(BIN)/stoa demo
	mkdir -p instance
	STOA_BASE_URL="$${STOA_BASE_URL:-http://127.0.0.1:$(PORT)}" \
	$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --threads 4 \
		--control-socket instance/gunicorn.ctl --access-logfile - \
		--logger-class portal.accesslog.RedactingLogger wsgi:app

test: dev-install
	$(BIN)/mypy portal services
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: dev-install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check portal blueprints services tests
	$(BIN)/mypy portal services

format: dev-install
	$(BIN)/ruff format portal blueprints services tests
	$(BIN)/ruff check --fix .

# Refresh vendored front-end files from the npm registry (versions pinned in package.json).
vendor:
	npm install --no-save --ignore-scripts
	mkdir -p static/vendor/htmx
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/htmx.min.js
	mkdir -p static/vendor/sortablejs
	cp node_modules/sortablejs/Sortable.min.js node_modules/sortablejs/LICENSE static/vendor/sortablejs/
	mkdir -p static/vendor/uplot
	cp node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css node_modules/uplot/LICENSE static/vendor/uplot/

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
