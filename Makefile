# Everything a fresh machine needs (Python 3.11, Node 20, make) is installed by `make setup`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-complete
# checkov pins a boto3 older than the project's, so it lives in a venv of its own.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.setup-complete
# The real SageMaker Python SDK (v3) and DataHub's SageMaker source, for tests/interop: too large and too
# far from the Lambda's own pins to share .venv; the probes run with this venv's python.
INTEROP_VENV := .venv-interop
INTEROP_STAMP := $(INTEROP_VENV)/.setup-complete
INTEROP_PACKAGES := sagemaker==3.27.0 'acryl-datahub[sagemaker]==1.7.0.17' pyvis==0.3.2 beautifulsoup4==4.15.0 \
	sagemaker-experiments==0.1.45

export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_VERSION_CHECK := 1
export CDK_DISABLE_CLI_TELEMETRY := true
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.DEFAULT_GOAL := help
.PHONY: help setup chromium demo test lint format typecheck unit integration contract infra interop synth emulator bench soak lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt package.json package-lock.json
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(STAMP)

$(CHECKOV_STAMP): constraints-checkov.txt
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -c constraints-checkov.txt checkov
	@touch $(CHECKOV_STAMP)

$(INTEROP_STAMP): constraints-interop.txt
	@test -x $(INTEROP_VENV)/bin/python || $(PYTHON) -m venv $(INTEROP_VENV)
	$(INTEROP_VENV)/bin/python -m pip install --quiet -c constraints-interop.txt $(INTEROP_PACKAGES)
	@touch $(INTEROP_STAMP)

# Debian's Chromium, for the headless-browser test of `trace --format html` (tests/integration).
CHROMIUM := $(shell command -v chromium 2>/dev/null)

chromium:
ifeq ($(CHROMIUM),)
	@echo "Installing Debian's chromium for the headless-browser test (apt-get; needs root or sudo)"
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium
endif

setup: $(STAMP) $(CHECKOV_STAMP) $(INTEROP_STAMP) ## Create .venv (project + dev tools), .venv-checkov, .venv-interop and the pinned CDK CLI; idempotent

demo: setup ## Run the whole flow on the embedded local AWS and print the lineage
	$(BIN)/lineage-recorder demo

test: setup chromium lint typecheck ## All tests (unit, integration, contract, infra incl. checkov, interop), ruff and mypy
	$(BIN)/python -m pytest

lint: setup ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: setup ## mypy, strict
	$(BIN)/mypy functions emulator cli infra app.py bench

unit: setup ## Unit tests only (no network)
	$(BIN)/python -m pytest tests/unit

integration: setup ## Handler and CLI against the emulator
	$(BIN)/python -m pytest tests/integration

contract: setup ## The emulator's SageMaker contract, in-process and as a server
	$(BIN)/python -m pytest tests/contract

infra: setup ## CDK assertions, cdk-nag, cfn-lint, checkov
	$(BIN)/python -m pytest tests/infra

interop: setup ## The real SageMaker Python SDK and DataHub's SageMaker source against a recorded estate
	$(BIN)/python -m pytest -m interop tests/interop

synth: setup ## Synthesise the stack with the pinned CDK CLI and print the Lambda asset size
	PATH="$(CURDIR)/$(BIN):$$PATH" npx --no-install cdk synth --quiet
	@$(BIN)/python -m infra.asset_report cdk.out

emulator: setup ## Serve the local AWS on 127.0.0.1:5000 until stopped
	$(BIN)/lineage-recorder emulator --host 127.0.0.1 --port 5000

bench: setup ## Benchmark SageMaker calls, throughput and cold start
	$(BIN)/python -m bench.run

soak: setup ## The reliability tests (concurrency, replay, throttling, hostile input) at large sizes
	LINEAGE_SOAK=1 $(BIN)/python -m pytest -m soak --capture=sys tests

lock: ## Re-resolve every pinned Python package into constraints.txt, constraints-checkov.txt and constraints-interop.txt
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	{ echo "# Every package the project installs, pinned. Regenerate with: make lock"; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable; } > constraints.txt
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet checkov
	{ echo "# checkov and its dependencies, pinned, for .venv-checkov (its boto3 pin conflicts with the project's). Regenerate with: make lock"; \
	  .lock-venv/bin/python -m pip freeze; } > constraints-checkov.txt
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet $(INTEROP_PACKAGES)
	{ echo "# The real SageMaker Python SDK (v3), DataHub's SageMaker source and the SDK's optional lineage extras, pinned, for .venv-interop (tests/interop). Regenerate with: make lock"; \
	  .lock-venv/bin/python -m pip freeze; } > constraints-interop.txt
	rm -rf .lock-venv

clean: ## Remove the virtualenvs, node_modules and build output
	rm -rf $(VENV) $(CHECKOV_VENV) $(INTEROP_VENV) node_modules cdk.out .mypy_cache .ruff_cache .pytest_cache .hypothesis
