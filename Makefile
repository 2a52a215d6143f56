# One entry point for people and CI. Every target creates .venv on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
WORKSPACE ?= demo-workspace
SHARED_DATA ?= ../shared/data
STAMP  := $(VENV)/.installed

.PHONY: help install demo test test-slow serve lint format typecheck evals bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of torch first, so nothing later pulls a CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with dev tools

demo: $(STAMP) ## Build the demo workspace and run the main job end to end
	$(BIN)/wcm demo --workspace $(WORKSPACE)

test: $(STAMP) ## Run the default (fast, offline) test suite
	$(BIN)/python -m pytest -q

test-slow: $(STAMP) ## Run the heavy tests only
	$(BIN)/python -m pytest -q -m slow

serve: $(STAMP) ## Start the service on the demo workspace
	$(BIN)/wcm serve --workspace $(WORKSPACE)

lint: $(STAMP) ## ruff lint + format check, mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP) ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

evals: $(STAMP) ## Accuracy evaluations on ../shared/data (JSON on stdout)
	$(BIN)/python -m evals.ibm_import --data $(SHARED_DATA) --json
	$(BIN)/python -m evals.payments --data $(SHARED_DATA)/ibm_accounts_receivable --json
	$(BIN)/python -m evals.forecast --dataset m4-weekly --data $(SHARED_DATA)/m4_weekly --json
	$(BIN)/python -m evals.forecast --dataset nn5 --data $(SHARED_DATA)/nn5_daily_atm --json
	$(BIN)/python -m evals.forecast --dataset topcoder --data $(SHARED_DATA)/topcoder_cashflow_2020 --json
	$(BIN)/python -m evals.reconciliation --json
	$(BIN)/python -m evals.retrieval --json
	$(BIN)/python -m evals.agent --json
	$(BIN)/python -m evals.early_warning --json
	$(BIN)/python -m evals.optimize --json

bench: $(STAMP) ## Speed and memory benchmarks (figures as ratios to baselines)
	$(BIN)/python -m evals.bench_import --json
	$(BIN)/python -m evals.bench_simulator --json
	$(BIN)/python -m evals.bench_statements --json
	$(BIN)/python -m evals.bench_forecast --json
	$(BIN)/python -m evals.bench_risk --json

clean: ## Remove the virtualenv, caches and the demo workspace
	rm -rf $(VENV) $(WORKSPACE) .pytest_cache .ruff_cache .mypy_cache
