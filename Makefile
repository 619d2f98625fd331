# Two commands for everyone: `make book` (build the executed book) and `make test` (the test suite).
# Both create the virtual environment and install the pinned dependencies when needed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

ASSIGNMENTS := $(basename $(notdir $(wildcard assignments/masters/*.md)))

.PHONY: book test bench canary release notebooks lab setup lab-settings instructor-lab sandbox-tool browser-tool database-tool clean

setup: $(STAMP)

$(STAMP): pyproject.toml pins.txt
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 10) <= v <= (3, 13) else f"Python 3.10 to 3.13 is needed (TensorFlow 2.21), found {v[0]}.{v[1]}")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c pins.txt -e .
	@$(MAKE) --no-print-directory lab-settings
	@$(MAKE) --no-print-directory sandbox-tool
	@$(MAKE) --no-print-directory browser-tool
	@$(MAKE) --no-print-directory database-tool
	touch $(STAMP)

# Students' JupyterLab (jupyterlab/): chapters, MyST .md files, open as notebooks, and nbgrader's
# instructor menus and its formgrader and course list are off. `make instructor-lab` turns them
# back on here. (students.json sorts after nbgrader's own nbgrader.json, so it wins.)
LAB_CONFIG := $(VENV)/etc/jupyter
lab-settings:
	mkdir -p $(VENV)/share/jupyter/lab/settings $(LAB_CONFIG)/labconfig $(LAB_CONFIG)/jupyter_server_config.d
	cp jupyterlab/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	cp jupyterlab/page_config.json $(LAB_CONFIG)/labconfig/page_config.json
	cp jupyterlab/jupyter_server_config.json $(LAB_CONFIG)/jupyter_server_config.d/students.json

instructor-lab:
	rm -f $(LAB_CONFIG)/labconfig/page_config.json $(LAB_CONFIG)/jupyter_server_config.d/students.json

# The autograder isolates student code with bubblewrap (Linux only): install it where we can.
sandbox-tool:
	@if command -v bwrap >/dev/null; then :; \
	elif [ "$$(uname)" = Linux ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; \
	else \
		echo "*** WARNING: bubblewrap (bwrap) is not installed: course-grade cannot isolate student code."; \
		echo "*** On Debian/Ubuntu: sudo apt-get install bubblewrap. On macOS and Windows it does not exist:"; \
		echo "*** grade on Linux (the grading tests fail without it)."; \
	fi

# The browser tests drive Debian's Chromium with Playwright (Playwright's own browser download
# needs internet) and check accessibility with axe-core, fetched from npm's registry: install
# both where we can, and say loudly where we cannot.
browser-tool:
	@if command -v npm >/dev/null; then :; \
	elif [ "$$(uname)" = Linux ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	else \
		echo "*** WARNING: npm is not installed: the accessibility test (axe-core, from npm) will fail."; \
	fi
	@if command -v chromium >/dev/null || command -v chromium-browser >/dev/null || [ -n "$$CHROMIUM" ]; then :; \
	elif [ "$$(uname)" = Linux ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "*** WARNING: Chromium is not installed: the browser tests (tests/test_browser.py) will fail."; \
		echo "*** On Debian/Ubuntu: sudo apt-get install chromium. Elsewhere: set CHROMIUM to a Chrome or"; \
		echo "*** Chromium executable, or run .venv/bin/playwright install chromium (needs internet)."; \
	fi

# One grading test runs the gradebook on a real PostgreSQL server that it starts itself; it is
# skipped, saying why, where the server programs are missing. Optional, so only a note.
database-tool:
	@if command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then :; \
	elif [ "$$(uname)" = Linux ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else \
		echo "*** note: PostgreSQL is not installed, so its gradebook test will be skipped."; \
	fi

# Student versions of every assignment (the book publishes them).
release: $(STAMP)
	for assignment in $(ASSIGNMENTS); do $(BIN)/course-grade --course assignments release $$assignment || exit 1; done

# The published book is always built in full mode: COURSE_QUICK is cleared here.
book: release
	COURSE_QUICK= $(BIN)/jupyter-book build . -W -n --keep-going

# What students open in JupyterLab: plain notebooks in notebooks/ (book/student_notebooks.py says
# why), from this checkout's built book, else from the published one. Their own notebooks there are
# never overwritten. `make lab` starts JupyterLab on them.
notebooks: $(STAMP)
	$(BIN)/python book/student_notebooks.py

lab: notebooks
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	COURSE_QUICK= $(BIN)/python -m bench $(NAME)

# The upgrade canary: the newest releases pyproject.toml's ranges allow, in a second environment
# (.canary/), against the quick tests, every chapter and every assignment. Report: _build/canary/.
canary:
	$(PYTHON) -m canary

clean:
	rm -rf _build
