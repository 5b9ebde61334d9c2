# The two set-up commands are `make run` and `make test`; both may be run again at any time.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app lms
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench system-deps install translations clean

run: system-deps install
	@mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) lms demo load
	$(FLASK) lms content import content
	$(FLASK) lms authoring add-owner exec-digital-leadership trainer@lms.example --by admin@lms.example
	$(FLASK) lms authoring add-owner practitioner-digital-skills trainer@lms.example --by admin@lms.example
	@echo "Serving on http://127.0.0.1:5000 (Ctrl+C stops it)"
	LMS_SESSION_COOKIE_SECURE=0 $(FLASK) run --host 127.0.0.1 --port 5000

# Two workers (pytest-xdist), each with its own databases and servers; --dist loadscope keeps a
# module's tests on one worker, so module-scoped servers start once and tests that share one
# Redis key (the login limiter) never run at the same time.
test: system-deps install lint
	$(PY) -m pytest -n 2 --dist loadscope

lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: system-deps install
	$(PY) bench/run.py

system-deps:
	@bash scripts/system-deps.sh

install: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

translations: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location -o lms/translations/messages.pot .
	$(VENV)/bin/pybabel update -i lms/translations/messages.pot -d lms/translations --no-fuzzy-matching
	$(VENV)/bin/pybabel compile -d lms/translations

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
