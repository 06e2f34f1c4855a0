# The two commands a new user needs:
#   make report   execute every notebook headless; write self-contained HTML pages + PNG
#                 charts under reports/ (a failing notebook is marked in the index; exit 1)
#   make test     run every test (unit tests, the report's pages in headless chromium, then
#                 the notebooks under nbval)
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

.PHONY: test test-report test-notebooks report lab bench clean venv browser

# The report's browser check loads every page in Debian's chromium (headless). It is installed
# with apt-get when missing (root, or passwordless sudo); where that cannot be done the browser
# tests skip locally and fail under CI=true.
CHROMIUM ?= chromium

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 > /dev/null
	touch $(STAMP)

# Unit tests and docstring examples (a missing Chinchilla file stops them at once with one
# message); then the report is built and every page checked offline, statically and in
# headless chromium; then every notebook runs under nbval.
# The last two steps run side by side (each executes the notebooks on one core); each one's
# output is printed in one piece when it ends.
test: $(STAMP) browser
	$(BIN)/python -m pytest --doctest-modules scaling tests
	$(MAKE) --no-print-directory -j2 --output-sync=target test-report test-notebooks

test-report: report
	$(BIN)/python -m pytest tests/test_report_pages.py --report-dir reports

test-notebooks: $(STAMP)
	$(BIN)/python -m pytest --nbval-lax notebooks/

browser:
	@command -v $(CHROMIUM) > /dev/null 2>&1 || { \
	  echo "installing Debian's chromium (apt-get) for the report's browser check"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo -n ); \
	  $$SUDO apt-get update -qq > /dev/null; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium > /dev/null \
	  || echo "warning: could not install chromium; the browser checks will be skipped (they fail under CI=true)"; }

# REPORT_ARGS runs notebooks with other parameter values or builds some of them, e.g.
#   make report REPORT_ARGS="--param 07_enterprise_right_sizing ACCELERATOR=GB200"
REPORT_ARGS ?=
report: $(STAMP)
	$(BIN)/python -m scaling.apps.report --notebooks notebooks --out reports $(REPORT_ARGS)

# JupyterLab refuses to run as root (as in most containers) unless told --allow-root.
# LAB_ARGS adds options, e.g. make lab LAB_ARGS="--no-browser --port 8899".
LAB_ARGS ?=
lab: $(STAMP)
	$(BIN)/jupyter lab $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(LAB_ARGS) notebooks/

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf reports .pytest_cache
