# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run serve serve-check test install install-dev browser-deps bench-deps lint format bench bench-download recovery clean

# Debian ships venv separately; install it when we can rather than fail obscurely.
$(BIN)/python:
	@if ! $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; \
	  else \
	    echo "Python's venv module is missing: run 'sudo apt-get install python3-venv'."; exit 1; \
	  fi; \
	fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "The hub is starting on http://127.0.0.1:$(PORT)/ with a Celery worker and beat."
	@echo "Ctrl-C stops all three."
	$(BIN)/honcho start -f Procfile

# The production server: gunicorn (gunicorn.conf.py), the Celery worker and beat, on the
# settings read from the environment (DJANGO_DEBUG defaults to 0 here). The release steps
# run first, so the first page is served without a manual step. See README "Production".
serve: export DJANGO_DEBUG ?= 0
serve: install
	@if [ "$$DJANGO_DEBUG" = 0 ] && { [ -z "$$DJANGO_SECRET_KEY" ] || [ -z "$$DJANGO_ALLOWED_HOSTS" ]; }; then \
	  echo "make serve runs the production profile: set DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS"; \
	  echo "(and DATABASE_URL, REDIS_URL, AWS_STORAGE_BUCKET_NAME, EMAIL_URL..., or HUB_SINGLE_NODE=1"; \
	  echo "for one machine with local media; see README.md, Production)."; exit 1; \
	fi
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Serving on port $(PORT) with gunicorn, a Celery worker and beat. Ctrl-C stops all three."
	$(BIN)/honcho start -f deploy/Procfile -d .

# `make serve` for real on PostgreSQL (DATABASE_URL's server), Redis, moto's S3 server and an
# SMTP server, with the batch journey driven in Chromium (bench/serve_check.py, ~2 minutes).
serve-check: install-dev browser-deps
	$(BIN)/python bench/serve_check.py

# Browser tests drive Debian's Chromium; never a downloaded browser. The Nu HTML Checker
# (vnu.jar, from requirements-dev.txt) needs Debian's Java.
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "The browser tests need /usr/bin/chromium: run 'sudo apt-get install chromium'."; \
	    echo "Until then they fail with the same message."; \
	  fi; \
	fi
	@if ! command -v java >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's Java for the Nu HTML Checker (vnu.jar)..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; \
	  else \
	    echo "The valid-HTML crawl needs Java: run 'sudo apt-get install default-jre-headless'."; \
	    echo "Until then it checks axe only and says it skipped the HTML."; \
	  fi; \
	fi

# Lint first: a style or import error fails in seconds, before the long suite.
test: install-dev browser-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# `make bench` drives the production server with wrk (Debian's package).
bench-deps:
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's wrk for the benchmark..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
	  else \
	    echo "make bench needs wrk: run 'sudo apt-get install wrk'."; exit 1; \
	  fi; \
	fi

bench: install-dev bench-deps
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# A whole-cohort download (issue 15) of a 2,000-learner-unit batch built by a real worker,
# with its peak memory before and after (bench/cohort_download.py; a few minutes).
bench-download: install-dev
	$(BIN)/python bench/cohort_download.py $(BENCH_DOWNLOAD_ARGS)

# Restart Redis, then PostgreSQL, under load, on throwaway servers of its own (needs Debian's
# postgresql and redis-server packages); prints each outage and checks nothing was lost.
recovery: install-dev
	$(BIN)/python bench/recovery.py $(RECOVERY_ARGS)

clean:
	rm -rf $(VENV) var db.sqlite3
