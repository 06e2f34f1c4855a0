# The two commands a new user needs:
#   make report   execute every notebook headless; write HTML + PNG charts under reports/
#   make test     run every test (unit tests, then the notebooks under nbval)
# Both create .venv and install the package with its dev extras on first use.

PYTHON ?= python3

# The Chinchilla points are fetched (pinned URL + SHA-256) unless SCALING_DATA_DIR names a
# folder holding a copy; in this project's workspace that copy sits in ../shared/data, which is
# used when present and the variable is unset.
SHARED_DATA := $(abspath ../shared/data)
ifeq ($(origin SCALING_DATA_DIR),undefined)
ifneq ($(wildcard $(SHARED_DATA)/chinchilla_svg_extracted_data.csv),)
export SCALING_DATA_DIR := $(SHARED_DATA)
endif
endif
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: test report lab bench clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 > /dev/null
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest --doctest-modules scaling tests
	$(BIN)/python -m pytest --nbval-lax notebooks/

report: $(STAMP)
	$(BIN)/python -m scaling.report --notebooks notebooks --out reports

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf reports .pytest_cache
