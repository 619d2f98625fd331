# Two commands for everyone: `make book` (build the executed book) and `make test` (the test suite).
# Both create the virtual environment and install the pinned dependencies when needed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

ASSIGNMENTS := $(basename $(notdir $(wildcard assignments/masters/*.md)))

.PHONY: book test bench release setup clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 10) <= v <= (3, 13) else f"Python 3.10 to 3.13 is needed (TensorFlow 2.21), found {v[0]}.{v[1]}")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

# Student versions of every assignment (the book publishes them).
release: $(STAMP)
	for assignment in $(ASSIGNMENTS); do $(BIN)/course-grade --course assignments release $$assignment || exit 1; done

# The published book is always built in full mode: COURSE_QUICK is cleared here.
book: release
	COURSE_QUICK= $(BIN)/jupyter-book build . -W -n --keep-going

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	COURSE_QUICK= $(BIN)/python -m bench $(NAME)

clean:
	rm -rf _build
