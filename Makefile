# Two commands for a fresh machine: `make demo` (set up + TA pipeline), `make test` (all tests).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Debian packages each target needs, installed first (scripts/system-packages.sh: as root or with
# password-less sudo; otherwise it names the command to run and stops before any pip work).
SYSTEM_PACKAGES := bubblewrap
test: SYSTEM_PACKAGES += chromium postgresql nodejs npm python3-venv
hub: SYSTEM_PACKAGES += nodejs npm python3-venv
site: SYSTEM_PACKAGES += nodejs
# In CI the sandbox tests must run, not skip.
test: export DLCOURSE_REQUIRE_SANDBOX := $(if $(CI),1,$(DLCOURSE_REQUIRE_SANDBOX))

.PHONY: demo test lab hub setup release grade clean system-packages gpu-check gpu-wheels site

demo: $(STAMP)
	$(BIN)/python -m dlcourse demo

test: $(STAMP)
	$(BIN)/python -m pytest

system-packages:
	@PYTHON=$(PYTHON) bash scripts/system-packages.sh $(SYSTEM_PACKAGES)

# As root (a container), Jupyter refuses to start without --allow-root: passed, with a note.
# JUPYTER_CONFIG_PATH: nbgrader's Assignments tab reads nbgrader_config.py from there when it works in
# downloaded/ (where a student's fetched assignments go on one machine).
# notebooks/lab-settings/overrides.json: JupyterLab's defaults for the course, so that it never asks
# about Jupyter news (a pop-up over the slides) nor checks for updates, and slides without a horizontal
# scrollbar (a style of jupyterlab-fonts); a user's own settings still win.
ROOT_LAB := $(if $(filter 0,$(shell id -u)),--allow-root)
ROOT_NOTE := note: running as root, so JupyterLab starts with --allow-root (use an ordinary account on a shared machine)
lab: $(STAMP)
	@$(if $(ROOT_LAB),echo "$(ROOT_NOTE)")
	JUPYTER_CONFIG_PATH=$(CURDIR)$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH} $(BIN)/jupyter lab --ip=127.0.0.1 \
		--LabApp.app_settings_dir=$(CURDIR)/notebooks/lab-settings $(ROOT_LAB)

# The course's JupyterHub for a class on this machine, as root: accounts from roster.csv (TAs: role ta),
# servers as those accounts, nbgrader's exchange; docs/operators.md "The course's JupyterHub".
ROSTER ?= roster.csv
hub: $(STAMP)
	$(BIN)/python -m dlcourse hub --roster $(ROSTER) $(HUB_ARGS)

setup: $(STAMP)

# Installs only when pyproject.toml, constraints.txt or the server setting changed since the last install.
# An editable install leaves out data files: the Jupyter server setting of the course (kernel
# messages without Nagle's delay, dlcourse/lectures/server.py) is copied into the environment.
$(STAMP): pyproject.toml constraints.txt jupyter-config/dlcourse.json | system-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	install -D -m 644 jupyter-config/dlcourse.json $(VENV)/etc/jupyter/jupyter_server_config.d/dlcourse.json
	touch $(STAMP)

# The course website in site/_build/html/ (lectures with figures, student assignments; in Russian
# under ru/, its student versions made by nbgrader from ru/source/): mystmd, pinned in
# constraints.txt and installed by setup, runs on Node.
site: $(STAMP)
	$(BIN)/python site/build.py

release: $(STAMP)
	$(BIN)/python -m dlcourse generate

grade: $(STAMP)
	$(BIN)/python -m dlcourse grade

# Every notebook and submission variant on two devices, compared cell by cell (docs/operators.md,
# "The same grades on a GPU").
# Runs through the grading executor: on a bare GPU machine (Python and torch only) install wheels/
# first, made here by make gpu-wheels (python -m dlcourse gpu-check --list-needs says how).
# make gpu-check DEVICES="cpu cpu" is a dry run.
DEVICES ?= cuda cpu
gpu-check:
	PYTHONPATH=. $(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON)) -m dlcourse gpu-check --devices $(DEVICES) $(GPU_CHECK_ARGS)

GPU_STACK = nbformat nbclient nbconvert ipykernel jupyter_client jupyter_server SQLAlchemy rapidfuzz requests hypothesis psutil
gpu-wheels:
	$(PYTHON) -m pip download -q -d wheels -c constraints.txt --no-deps nbgrader
	$(PYTHON) -m pip download -q -d wheels -c constraints.txt $(GPU_STACK)
	@du -sh wheels

clean:
	rm -rf submitted feedback reports gradebook.db
	find autograded -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
