# union-news: `make demo` runs the whole pipeline on the bundled sample; `make test` runs the tests.
# Both create or refresh .venv and install the project first, so they work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test venv bench clean help

help:
	@echo "make demo   - crawl the bundled sample offline and write out/demo/ (store, feeds, pages, Markdown)"
	@echo "make test   - run the test suite (pytest)"
	@echo "make bench  - run the benchmarks under benchmarks/ (slow, on demand)"
	@echo "make clean  - remove .venv and out/"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/union-news demo --out out/demo

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) out
