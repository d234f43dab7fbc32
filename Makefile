# Youthservice: `make run` serves the demo, `make test` runs the whole suite.
# Both create .venv and install everything on a fresh machine; both are safe to re-run.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := static/css/youthservice.css

.PHONY: run test lint security bench load assets install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
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

run: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=1 $(BIN)/python manage.py seed_demo
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=youthservice.settings_test
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/bench.py

load: install
	$(BIN)/python bench/load.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

security: $(STAMP)
	$(BIN)/bandit -q -c pyproject.toml -r .

clean:
	rm -rf $(VENV) node_modules static/css static/govuk static/images static/manifest.json
