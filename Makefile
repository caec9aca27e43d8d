# Two commands on a fresh machine: `make demo` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
OUT    ?= demo-output

.PHONY: demo serve test lint typecheck pytest install system-deps bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

system-deps:
	bash scripts/system-deps.sh

demo: install
	$(PY) scripts/demo.py --out $(OUT)

# The platform on ./citykpi.db with the demo cities; prints the address and the demo accounts.
serve: install
	$(PY) -m citykpi.cli serve

lint: install
	$(VENV)/bin/ruff check src tests bench scripts

typecheck: install
	$(VENV)/bin/mypy

# Two pytest workers (pytest-xdist), each test module kept on one worker so that its module-scoped
# servers start once: on a 2-core machine the suite takes about 16 minutes instead of 28, one process.
TEST_WORKERS ?= 2

pytest: install system-deps
	bash scripts/with-postgres.sh $(VENV)/bin/pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadscope

test: lint typecheck pytest

bench: install
	bash scripts/system-deps.sh bench
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info src/*.egg-info
