# Two commands: `make demo` and `make test`. Both create .venv if missing and install the package.
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-kpi-review
NB     := kpi_helpers/notebooks/annual_review.ipynb

.PHONY: setup demo test notebook-outputs demo-data catalogues lab clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dask]'
	$(PY) -m ipykernel install --sys-prefix --name kpi-review --display-name "Python (kpi-review)"
	touch $(STAMP)

setup: $(STAMP)
	@# bytecode for the package, as `pip install .` writes it; an editable install under
	@# PYTHONDONTWRITEBYTECODE would otherwise compile every module at every import (0.4 s)
	@$(PY) -m compileall -q kpi_helpers >/dev/null

demo: setup  ## copy the demo clients into reports/demo-clients/, then run the batch on them into reports/<today>/
	$(VENV)/bin/kpi-review demo

test: setup  ## ruff (lint and format), unit tests, doctests, end-to-end run and the install test, and nbval
	$(VENV)/bin/ruff check kpi_helpers tests benchmarks
	$(VENV)/bin/ruff format --check kpi_helpers tests benchmarks
	MPLBACKEND=Agg $(PY) -m pytest --doctest-modules tests kpi_helpers
	$(PY) -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg kpi_helpers/notebooks

notebook-outputs: setup  ## re-execute the committed notebook on the demo client (its outputs are what nbval checks)
	$(PY) -m kpi_helpers.run.kernel $(NB)

demo-data: setup  ## regenerate the packaged demo clients (kpi_helpers/demo_data) from the fixed seed
	$(PY) -m kpi_helpers.run.demo kpi_helpers/demo_data

catalogues: setup  ## collect message ids into kpi_helpers/locale/messages.pot and update the ru / fa catalogues
	MPLBACKEND=Agg $(PY) -m kpi_helpers.run.i18n_tools

lab: setup  ## JupyterLab with this environment's kernel
	$(VENV)/bin/jupyter lab kpi_helpers/notebooks/

clean:
	rm -rf $(VENV) build *.egg-info
