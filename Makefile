# Sanad: `make demo` sets everything up and runs the main job on the sample article;
# `make test` sets everything up and runs the test suite. Both are idempotent.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SAMPLE ?= ../shared/samples/haftar_delegation_damascus_ar.txt
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: setup models demo test lint bench bench-stance clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first, pinned to the CPU wheel this kind of machine provides; a bare `torch`
# requirement would pull a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

models: setup
	$(BIN)/sanad models build

demo: models
	$(BIN)/sanad demo --article $(SAMPLE)

test: models
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Every benchmark but the full stance table (about 30 minutes once the embedding caches exist).
bench: models
	$(BIN)/python -m bench

# The verdict table over every claims file in ../shared/data (about 30 minutes on 2 cores).
bench-stance: models
	$(BIN)/python -m bench stance

clean:
	rm -rf $(VENV) .sanad
