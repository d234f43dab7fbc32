# Youthservice: `make run` serves the demo, `make test` runs the whole suite.
# Both create .venv and install everything on a fresh machine; both are safe to re-run.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := static/css/youthservice.css

.PHONY: run code test lint security bench load assets install clean production-local

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)  # an existing venv keeps its interpreter
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

node_modules/.package-lock.json: package.json
	npm install --no-audit --no-fund --loglevel=error

$(ASSETS): node_modules/.package-lock.json frontend/youthservice.scss
	npm run --silent build
	mkdir -p static/govuk static/images
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/govuk/
	cp -r node_modules/govuk-frontend/dist/govuk/assets/images/. static/images/
	cp node_modules/govuk-frontend/dist/govuk/assets/manifest.json static/manifest.json

install: $(STAMP) $(ASSETS)

assets: $(ASSETS)

PORT ?= 8000

run: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=1 $(BIN)/python manage.py seed_demo
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The two-factor code a demo login's app would show now: make code USER=adviser (any demo username).
code: $(STAMP)
	@DJANGO_DEBUG=1 $(BIN)/python manage.py demo_code $(USER)

test: install
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=youthservice.settings_test
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# make bench: the 150,000-person council; make bench LARGE=1 also 1,000,000 (built once, about 11 minutes)
bench: install
	BENCH_YOUNG_PEOPLE=150000 $(BIN)/python bench/bench.py
	$(if $(LARGE),BENCH_YOUNG_PEOPLE=1000000 BENCH_ONLY=pages $(BIN)/python bench/bench.py)

load: install
	$(BIN)/python bench/load.py

# Production settings on this machine without Docker: gunicorn on 127.0.0.1:8001, one Celery worker and
# one beat against the local PostgreSQL and Redis (LOCAL_DATABASE_URL, LOCAL_BROKER_URL), so the nightly
# cycle can be watched; Ctrl-C stops all three. Secure cookies are off: it serves plain http locally.
LOCAL := .local-production
LOCAL_ENV := DJANGO_SECRET_KEY=local-production-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
	DATABASE_URL=$(or $(LOCAL_DATABASE_URL),postgres://postgres@127.0.0.1:5432/youthservice_local) \
	CELERY_BROKER_URL=$(or $(LOCAL_BROKER_URL),redis://127.0.0.1:6379/2) CACHE_URL=redis://127.0.0.1:6379/3 EMAIL_URL=consolemail:// YOUTHSERVICE_LA_CODE=882 \
	DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost DJANGO_SECURE_COOKIES=0 DJANGO_MEDIA_ROOT=$(CURDIR)/$(LOCAL)/media \
	DESTRUCTION_LEDGER_DIR=$(CURDIR)/$(LOCAL)/ledger

production-local: install
	mkdir -p $(LOCAL)/media
	createdb -h 127.0.0.1 -U postgres youthservice_local 2>/dev/null || true
	$(LOCAL_ENV) $(BIN)/python manage.py migrate --no-input
	$(LOCAL_ENV) $(BIN)/python manage.py collectstatic --no-input --verbosity 0
	trap 'trap - EXIT INT TERM; kill 0' EXIT INT TERM; \
	$(LOCAL_ENV) $(BIN)/celery -A youthservice worker --loglevel INFO --concurrency 2 & \
	$(LOCAL_ENV) $(BIN)/celery -A youthservice beat --loglevel INFO --schedule $(LOCAL)/celerybeat-schedule & \
	$(LOCAL_ENV) GUNICORN_BIND=127.0.0.1:8001 GUNICORN_WORKERS=2 $(BIN)/gunicorn -c python:youthservice.gunicorn

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

security: $(STAMP)
	$(BIN)/bandit -q -c pyproject.toml -r .

clean:
	rm -rf $(VENV) node_modules static/css static/govuk static/images static/manifest.json
