# The two commands a new user needs:
#   make report   execute every notebook headless; write self-contained HTML pages + PNG
#                 charts under reports/ (a failing notebook is marked in the index; exit 1)
#   make test     run every test (unit tests; the report's pages in headless chromium; the
#                 notebooks' checked outputs under nbval, read from the report's run)
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
REPORT := $(BIN)/python -m scaling.apps.report
# What make test checks in the report it built: the pages, and the notebooks under nbval with
# their outputs read from the executed copies (reports/executed).
CHECK_REPORT := --report-dir reports tests/test_report_pages.py \
	--nbval-lax --nbval-executed reports/executed notebooks/

.PHONY: test test-unit test-report test-report-build report lab bench clean venv browser

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

# The unit tests and docstring examples (a missing Chinchilla file stops them at once with one
# message) run beside the report, which executes every notebook once (one kernel per core),
# and beside the chromium install (when it is missing). Then, in one pytest run, every page is
# checked offline (statically and in headless chromium) and nbval checks every notebook
# against the copy the report executed (tests/nbval_executed.py: --nbval-lax semantics,
# nothing runs a second time). A notebook that fails is reported by nbval with its cell and
# traceback, so the checks run also when the report failed (its exit status is kept in
# reports/.status). Each step's output is printed in one piece when it ends.
test: $(STAMP)
	$(MAKE) --no-print-directory -j3 --output-sync=target test-unit test-report

test-unit: $(STAMP)
	$(BIN)/python -m pytest --doctest-modules scaling tests

test-report-build: $(STAMP)
	rm -rf reports && mkdir reports
	$(REPORT) --notebooks notebooks --out reports; echo $$? > reports/.status

test-report: test-report-build browser
	status=$$(cat reports/.status); \
	$(BIN)/python -m pytest $(CHECK_REPORT) || status=1; \
	exit $$status

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
	$(REPORT) --notebooks notebooks --out reports $(REPORT_ARGS)

# JupyterLab refuses to run as root (as in most containers) unless told --allow-root.
# LAB_ARGS adds options, e.g. make lab LAB_ARGS="--no-browser --port 8899".
LAB_ARGS ?=
lab: $(STAMP)
	$(BIN)/jupyter lab $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(LAB_ARGS) notebooks/

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf reports .pytest_cache
