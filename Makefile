# Two commands for a fresh machine: `make demo` (set up + TA pipeline), `make test` (all tests).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lab setup release grade clean

demo: $(STAMP)
	$(BIN)/python -m dlcourse demo

test: $(STAMP)
	$(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/jupyter lab --ip=127.0.0.1

setup: $(STAMP)

# Installs only when pyproject.toml or constraints.txt changed since the last install.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

release: $(STAMP)
	$(BIN)/python -m dlcourse generate

grade: $(STAMP)
	$(BIN)/python -m dlcourse grade

clean:
	rm -rf submitted feedback reports gradebook.db
	find autograded -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
