# Stoa — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
WORKERS ?= 2
# Test processes (pytest-xdist; each gets its own database). `make test TEST_WORKERS=0` runs in one.
TEST_WORKERS ?= auto

# The database `make run` prepares: a stamp per database URL records that its migrations and the
# demo data are in, so a warm `make run` starts the server straight away.
DB_URL   := $(or $(DATABASE_URL),sqlite:///instance/stoa.db)
DB_FILE  := $(if $(filter sqlite:///%,$(DB_URL)),$(patsubst sqlite:///%,%,$(DB_URL)))
DB_STAMP := instance/.db-ready-$(shell printf '%s' '$(DB_URL)' | cksum | cut -d' ' -f1)
PIDFILE  := instance/gunicorn-$(PORT).pid
# The fake network controller `make run` starts for the Network tab, unless NETWORK_CONTROLLER_URL
# names a controller already. Its pid file goes with the server's port, so `make stop` finds it.
CONTROLLER_PORT ?= 8766
CONTROLLER_KEY  ?= fake-controller-key
CONTROLLER_PIDFILE := instance/controller-$(PORT).pid
# The fake Stripe (test mode) behind "Pay now" in the demo, unless STRIPE_SECRET_KEY names an account.
STRIPE_PORT ?= 8765
STRIPE_PIDFILE := instance/stripe-$(PORT).pid

.PHONY: run stop setup check test install dev-install lint format vendor clean lighthouse

# Prerequisites, checked with a clear message: Python 3.11 or newer (and make, which runs this).
check:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "Stoa needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>/dev/null || echo 'not found')."; \
		echo "Install it, or point make at one: make run PYTHON=python3.12"; exit 1; }

$(BIN)/python: | check
	@echo "==> Creating the virtual environment in $(VENV)/"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependency declarations change. pip shows what it installs (the first
# install takes a minute or two).
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	@echo "==> Installing Stoa and its dependencies (first time: a minute or two)"
	$(BIN)/pip install --progress-bar on -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml constraints.txt | $(BIN)/python
	@echo "==> Installing Stoa with the development tools (first time: a few minutes)"
	$(BIN)/pip install --progress-bar on -c constraints.txt -e ".[dev]"
	touch $(VENV)/.installed $@

install: check $(VENV)/.installed
dev-install: check $(VENV)/.installed-dev

# Migrate and load the demo data when the database is new or a migration was added (else skip).
setup: install
	@mkdir -p instance
	@if [ ! -f $(DB_STAMP) ] || [ -n "$$(find migrations/versions -name '*.py' -newer $(DB_STAMP) | head -n 1)" ] \
		|| { [ -n "$(DB_FILE)" ] && [ ! -f "$(DB_FILE)" ]; }; then \
		echo "==> Preparing the database (migrations, then demo data)"; \
		$(BIN)/stoa db upgrade && $(BIN)/stoa demo && touch $(DB_STAMP); \
	else \
		echo "==> Database ready (migrations and demo data already in)"; \
	fi

# Without NETWORK_CONTROLLER_URL, the fake controller (tests/fakes/network_controller.py) runs in
# the background for as long as gunicorn does: the trap stops it however gunicorn ends (Ctrl-C,
# `make stop`, a crash).
run: setup
	@echo "==> Serving on http://127.0.0.1:$(PORT) (sign in with a demo account; stop with Ctrl-C or make stop)"
	@fakes=""; \
	if [ -z "$${NETWORK_CONTROLLER_URL:-}" ]; then \
		echo "==> Fake network controller on http://127.0.0.1:$(CONTROLLER_PORT) (set NETWORK_CONTROLLER_URL for a real one)"; \
		$(BIN)/python -m tests.fakes.network_controller --port $(CONTROLLER_PORT) --api-key '$(CONTROLLER_KEY)' & \
		controller=$$!; echo $$controller > $(CONTROLLER_PIDFILE); fakes="$$fakes $$controller"; \
		export NETWORK_CONTROLLER_URL=http://127.0.0.1:$(CONTROLLER_PORT) NETWORK_CONTROLLER_KEY='$(CONTROLLER_KEY)'; \
	fi; \
	if [ -z "$${STRIPE_SECRET_KEY:-}" ]; then \
		echo "==> Fake Stripe (test mode) on http://127.0.0.1:$(STRIPE_PORT) for Pay now (set STRIPE_SECRET_KEY for a real account)"; \
		$(BIN)/python -m tests.fakes.stripe --port $(STRIPE_PORT) --webhook-url http://127.0.0.1:$(PORT)/webhooks/stripe & \
		stripe=$$!; echo $$stripe > $(STRIPE_PIDFILE); fakes="$$fakes $$stripe"; \
		export STRIPE_SECRET_KEY=sk_test_fake_stoa STRIPE_WEBHOOK_SECRET=whsec_fake_stoa STRIPE_API_BASE=http://127.0.0.1:$(STRIPE_PORT); \
	fi; \
	trap 'kill -TERM $$fakes 2>/dev/null; rm -f $(CONTROLLER_PIDFILE) $(STRIPE_PIDFILE)' EXIT INT TERM; \
	STOA_BASE_URL="$${STOA_BASE_URL:-http://127.0.0.1:$(PORT)}" \
	$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --threads 4 \
		--pid $(PIDFILE) --control-socket instance/gunicorn.ctl --access-logfile - \
		--logger-class portal.accesslog.RedactingLogger wsgi:app

# Stop the server `make run` started on $(PORT) (from another terminal).
stop:
	@if [ -f $(PIDFILE) ] && kill -0 "$$(cat $(PIDFILE))" 2>/dev/null; then \
		kill -TERM "$$(cat $(PIDFILE))" && echo "Stopped the server on port $(PORT)."; \
	else \
		echo "No server started by make run is running on port $(PORT)."; rm -f $(PIDFILE); \
	fi
	@if [ -f $(CONTROLLER_PIDFILE) ]; then \
		kill -TERM "$$(cat $(CONTROLLER_PIDFILE))" 2>/dev/null && echo "Stopped its fake network controller."; \
		rm -f $(CONTROLLER_PIDFILE); \
	fi
	@if [ -f $(STRIPE_PIDFILE) ]; then \
		kill -TERM "$$(cat $(STRIPE_PIDFILE))" 2>/dev/null && echo "Stopped its fake Stripe."; \
		rm -f $(STRIPE_PIDFILE); \
	fi

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

# The icons the templates draw (icon("name")), copied one by one from lucide-static; a test keeps
# this list, static/vendor/lucide-static/ and the templates in step.
LUCIDE_ICONS = activity arrow-down arrow-left arrow-left-right arrow-right arrow-up bell check \
	chevron-down chevron-left chevron-right chevron-up circle-check circle-dashed clock download \
	ellipsis external-link file file-image file-text flag folder grip-vertical inbox key \
	layout-grid link list mail minus pencil search sparkles target trending-down trending-up upload \
	x

# Refresh vendored front-end files from the npm registry (versions pinned in package.json).
vendor:
	npm install --no-save --ignore-scripts
	mkdir -p static/vendor/htmx
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/htmx.min.js
	mkdir -p static/vendor/sortablejs
	cp node_modules/sortablejs/Sortable.min.js node_modules/sortablejs/LICENSE static/vendor/sortablejs/
	mkdir -p static/vendor/uplot
	cp node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css node_modules/uplot/LICENSE static/vendor/uplot/
	rm -rf static/vendor/lucide-static && mkdir -p static/vendor/lucide-static
	cp node_modules/lucide-static/LICENSE static/vendor/lucide-static/
	for i in $(LUCIDE_ICONS); do cp node_modules/lucide-static/icons/$$i.svg static/vendor/lucide-static/ || exit 1; done
	# axe-core drives the accessibility audit in the browser tests: a test asset, never served.
	mkdir -p tests/e2e/vendor/axe-core
	cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE tests/e2e/vendor/axe-core/

# Lighthouse (mobile preset) of the served demo, signed in: `make run` in one terminal, then
# `make lighthouse` (PORT, LIGHTHOUSE_USER and LIGHTHOUSE_PATHS to change what is measured).
LIGHTHOUSE_USER  ?= owner@acme.test
LIGHTHOUSE_PATHS ?= /p/acme/dashboard /p/acme/tasks
lighthouse:
	scripts/lighthouse.sh http://127.0.0.1:$(PORT) $(LIGHTHOUSE_USER) $(LIGHTHOUSE_PATHS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
