# KIS — everyday commands. `make run` serves the demo; `make test` runs everything.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell md5sum pyproject.toml | cut -c1-12)
AXE := tests/browser/vendor/axe.min.js
AXE_VERSION := 4.14.1
DEV_ENV := DEBUG=true

.PHONY: help install run serve test test-fast lint format messages migrations-check bench load system-deps clean

help:
	@echo "make run              - install, migrate, load demo data, serve on http://127.0.0.1:8000"
	@echo "make serve            - run it as in production (gunicorn, DEBUG off) on 127.0.0.1:8000"
	@echo "make test             - install what the tests need and run the whole suite"
	@echo "make lint / format    - ruff check / ruff format"
	@echo "make messages         - update and compile the Polish translation"
	@echo "make migrations-check - fail when models changed without a migration"
	@echo "make bench            - measure the pages on a large dataset (bench/results.json)"
	@echo "make load             - 20 staff at once for 60 s: gunicorn, 4 workers, PostgreSQL (bench/results.json)"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || (echo "Python 3.11 is required" && exit 1)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

system-deps:
	./scripts/ensure-debian-packages gettext

compile-messages: install system-deps
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore "$(VENV)/*" -v0

run: install compile-messages
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input -v0
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "KIS: http://127.0.0.1:8000 (Ctrl+C stops the server)"
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# As in production, on this machine: DEBUG off, a secret key generated once into .serve-secret
# (this machine's only, never committed), static files collected and served by whitenoise,
# gunicorn with deploy/gunicorn.conf.py. Plain HTTP on the loopback address, so no TLS redirect.
SERVE_ENV = DEBUG=false SECRET_KEY="$$(cat .serve-secret)" ALLOWED_HOSTS=127.0.0.1,localhost \
	SECURE_SSL_REDIRECT=false SECURE_HSTS_SECONDS=0

.serve-secret:
	umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(64))" > $@

serve: install compile-messages .serve-secret
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --no-input -v0
	$(SERVE_ENV) $(BIN)/python manage.py migrate --no-input -v0
	@echo ""
	@echo "KIS (production mode): http://127.0.0.1:8000 (Ctrl+C stops it)"
	$(SERVE_ENV) $(BIN)/gunicorn -c deploy/gunicorn.conf.py kis_site.wsgi

$(AXE):
	mkdir -p $(dir $(AXE))
	cd $(dir $(AXE)) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null \
	  && tar xzf axe-core-$(AXE_VERSION).tgz package/axe.min.js \
	  && mv package/axe.min.js axe.min.js && rm -rf package axe-core-$(AXE_VERSION).tgz

test: install compile-messages $(AXE)
	./scripts/ensure-debian-packages chromium chromium-headless-shell poppler-utils gettext
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

test-fast: install compile-messages
	$(BIN)/pytest -n 2 -m "not browser" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install system-deps
	$(DEV_ENV) $(BIN)/python manage.py makemessages -l pl --no-obsolete --ignore "$(VENV)/*" --ignore "tests/*" --ignore "bench/*" --ignore "static/*"
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore "$(VENV)/*" -v0

migrations-check: install
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

bench: install compile-messages
	$(BIN)/python -m bench.run

# The load test (bench/load.py, bench/locustfile.py) on this machine's PostgreSQL, in the database
# LOAD_DB: the bench dataset is built there once and reused (LOAD_REBUILD=1 builds it again).
# LOAD_USERS, LOAD_SECONDS, LOAD_WAIT_MIN/MAX change the run. Not part of CI.
LOAD_DB ?= kis_load
load: install compile-messages
	./scripts/start-postgres
	@if [ -n "$(LOAD_REBUILD)" ]; then su postgres -c "psql -q -c 'DROP DATABASE IF EXISTS $(LOAD_DB) WITH (FORCE)'"; fi
	@su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = '$(LOAD_DB)'\"" | grep -q 1 \
	  || su postgres -c "psql -q -c 'CREATE DATABASE $(LOAD_DB) OWNER kis_ci'"
	DATABASE_URL=postgres://kis_ci:kis_ci@127.0.0.1:5432/$(LOAD_DB) $(BIN)/python -m bench.load

clean:
	rm -rf $(VENV) staticfiles .test-media db.sqlite3 bench/results.json
