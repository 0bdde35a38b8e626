# CCM 성과 대시보드. `make run` serves the demo dashboard; `make test` runs every test.
# Both create .venv from the pinned requirements on first use (Python 3.11).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= $(or $(CCM_DB),data/ccm.duckdb)

.PHONY: run test bench demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(BIN)/python -m etl demo --if-missing --db "$(DB)"
	CCM_DB="$(DB)" $(BIN)/python -m streamlit run dashboard.py --server.address 127.0.0.1 --server.port 8501

demo: $(VENV)/.runtime
	$(BIN)/python -m etl demo --force --db "$(DB)"

test: $(VENV)/.dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# every benchmark, then one summary table; `make bench BENCH_ARGS=--quick` for small sizes
bench: $(VENV)/.dev
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
