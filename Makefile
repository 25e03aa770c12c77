# Two commands for users: `make build` (demo warehouse + docs) and `make test` (the whole suite).
# Everything else is a building block. Both are re-runnable: the virtualenv is rebuilt only when the
# pins change, and a demo bank is regenerated only when its size or seed changes.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin

# dbt finds the project and its profile from any folder; the profile reads the paths below.
export DBT_PROJECT_DIR := $(CURDIR)
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

DEMO_CUSTOMERS ?= 5000
DEMO_SEED ?= 42
DEMO_RAW := $(CURDIR)/data/raw
DEMO_DB := $(CURDIR)/warehouse/bankseg.duckdb
DEMO_SERVING := $(CURDIR)/warehouse/serving

TEST_CUSTOMERS ?= 1500
TEST_SEED ?= 20261129
TEST_RAW := $(CURDIR)/data/test/raw
TEST_DB := $(CURDIR)/warehouse/test.duckdb
TEST_TARGET := $(CURDIR)/target/test

.PHONY: help install build demo-data dbt-build docs publish summary test lint pytest test-warehouse test-real-data test-spark bench clean

help:
	@echo "make build   set up, generate the demo bank ($(DEMO_CUSTOMERS) customers), dbt build, dbt docs generate"
	@echo "make test    set up and run the whole suite: ruff, sqlfluff, dbt build on a small bank, pytest"
	@echo "make test-real-data  import Berka and UCI Bank Marketing from ../shared/data, dbt build each, check figures"
	@echo "make test-spark  staging + SQL intermediate on a local Spark session (dbt-spark), compared with DuckDB"
	@echo "make clean   remove generated data, warehouses and dbt artefacts (keeps the virtualenv)"

$(BIN)/.installed: requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; Python 3.11+ is required"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "error: Python 3.11+ is required, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

install: $(BIN)/.installed

# ---- the demo warehouse ---------------------------------------------------------------------------
$(DEMO_RAW)/.generated-$(DEMO_CUSTOMERS)-$(DEMO_SEED): $(BIN)/.installed
	rm -f $(DEMO_RAW)/.generated-*
	$(BIN)/bankseg generate --customers $(DEMO_CUSTOMERS) --seed $(DEMO_SEED) --out $(DEMO_RAW)
	@touch $@

demo-data: $(DEMO_RAW)/.generated-$(DEMO_CUSTOMERS)-$(DEMO_SEED)

dbt-build: demo-data
	BANKSEG_RAW_DIR=$(DEMO_RAW) BANKSEG_DUCKDB_PATH=$(DEMO_DB) $(BIN)/dbt build
	@# docs generate overwrites run_results.json: keep the build's for publish
	cp $(CURDIR)/target/run_results.json $(CURDIR)/target/build_run_results.json

docs: dbt-build
	BANKSEG_RAW_DIR=$(DEMO_RAW) BANKSEG_DUCKDB_PATH=$(DEMO_DB) $(BIN)/dbt docs generate

# BI tools read warehouse/serving/current/serving.duckdb: switched atomically after a successful build only
publish: docs
	$(BIN)/bankseg publish --warehouse $(DEMO_DB) --out $(DEMO_SERVING) --run-results $(CURDIR)/target/build_run_results.json

summary:
	@$(BIN)/bankseg summary --warehouse $(DEMO_DB) --docs $(CURDIR)/target/index.html

build: docs publish summary

# ---- the test suite -------------------------------------------------------------------------------
lint: $(BIN)/.installed
	$(BIN)/ruff check python tests
	$(BIN)/ruff format --check python tests
	@# a fresh database, so incremental models lint in their full-refresh form
	rm -f $(CURDIR)/warehouse/lint.duckdb
	BANKSEG_RAW_DIR=$(TEST_RAW) BANKSEG_DUCKDB_PATH=$(CURDIR)/warehouse/lint.duckdb $(BIN)/sqlfluff lint models analyses tests --processes 2
	rm -f $(CURDIR)/warehouse/lint.duckdb

$(TEST_RAW)/.generated-$(TEST_CUSTOMERS)-$(TEST_SEED): $(BIN)/.installed
	rm -f $(TEST_RAW)/.generated-*
	$(BIN)/bankseg generate --customers $(TEST_CUSTOMERS) --seed $(TEST_SEED) --months 24 --out $(TEST_RAW) --quiet
	@touch $@

test-warehouse: $(TEST_RAW)/.generated-$(TEST_CUSTOMERS)-$(TEST_SEED)
	rm -f $(TEST_DB)
	BANKSEG_RAW_DIR=$(TEST_RAW) BANKSEG_DUCKDB_PATH=$(TEST_DB) $(BIN)/dbt build --target-path $(TEST_TARGET)
	BANKSEG_RAW_DIR=$(TEST_RAW) BANKSEG_DUCKDB_PATH=$(TEST_DB) $(BIN)/dbt docs generate --target-path $(TEST_TARGET)

pytest: $(BIN)/.installed
	BANKSEG_TEST_RAW_DIR=$(TEST_RAW) BANKSEG_TEST_DUCKDB_PATH=$(TEST_DB) BANKSEG_TEST_TARGET=$(TEST_TARGET) \
		BANKSEG_SHARED_DATA=$(SHARED_DATA) $(BIN)/pytest

test: $(BIN)/.installed lint test-warehouse pytest

# ---- the public data sets (CI runs this after make test) ------------------------------------------------------
# SHARED_DATA holds berka/ and bank_marketing/ (../shared/data next to the project, else /work/shared/data)
SHARED_DATA ?= $(firstword $(wildcard $(abspath $(CURDIR)/../shared/data) /work/shared/data))
REAL_DIR := $(CURDIR)/data/real
BERKA_RAW := $(REAL_DIR)/berka
BERKA_DB := $(CURDIR)/warehouse/berka.duckdb
BM_RAW := $(REAL_DIR)/bank_marketing
BM_DB := $(CURDIR)/warehouse/bank_marketing.duckdb
BMA_RAW := $(REAL_DIR)/bank_additional
BMA_DB := $(CURDIR)/warehouse/bank_additional.duckdb

test-real-data: $(BIN)/.installed
	@test -n "$(SHARED_DATA)" -a -d "$(SHARED_DATA)/berka" -a -d "$(SHARED_DATA)/bank_marketing" || \
		{ echo "error: no berka/ and bank_marketing/ under SHARED_DATA='$(SHARED_DATA)'; set SHARED_DATA=DIR"; exit 1; }
	$(BIN)/bankseg import berka $(SHARED_DATA)/berka --out $(BERKA_RAW)
	rm -f $(BERKA_DB)
	BANKSEG_RAW_DIR=$(BERKA_RAW) BANKSEG_DUCKDB_PATH=$(BERKA_DB) $(BIN)/dbt build --vars "$$(cat datasets/berka.yml)" \
		--target-path $(CURDIR)/target/berka
	$(BIN)/bankseg import bank-marketing $(SHARED_DATA)/bank_marketing/bank-full.csv --out $(BM_RAW)
	rm -f $(BM_DB)
	BANKSEG_RAW_DIR=$(BM_RAW) BANKSEG_DUCKDB_PATH=$(BM_DB) $(BIN)/dbt build --vars "$$(cat datasets/bank_marketing.yml)" \
		--target-path $(CURDIR)/target/bank_marketing
	$(BIN)/bankseg import bank-marketing $(SHARED_DATA)/bank_marketing/bank-additional.csv --out $(BMA_RAW)
	rm -f $(BMA_DB)
	BANKSEG_RAW_DIR=$(BMA_RAW) BANKSEG_DUCKDB_PATH=$(BMA_DB) $(BIN)/dbt build --vars "$$(cat datasets/bank_additional.yml)" \
		--target-path $(CURDIR)/target/bank_additional
	BANKSEG_SHARED_DATA=$(SHARED_DATA) BANKSEG_REAL_BERKA_RAW=$(BERKA_RAW) BANKSEG_REAL_BERKA_DB=$(BERKA_DB) \
		BANKSEG_REAL_BM_RAW=$(BM_RAW) BANKSEG_REAL_BM_DB=$(BM_DB) BANKSEG_REAL_BMA_DB=$(BMA_DB) \
		$(BIN)/pytest -m real_data

# ---- the Spark target (issue 7 part 3; README "Engines") ---------------------------------------------------------
# A second virtualenv: requirements.lock plus requirements-spark.lock (dbt-spark[session], pyspark; Java 17 on PATH).
# A small bank is built with `--selector spark` (selectors.yml) on a local Spark session and on DuckDB, and
# pytest -m spark compares the two builds table by table (tables, row counts, values, resolved customers).
SPARK_VENV := $(CURDIR)/.venv-spark
SPARK_BIN := $(SPARK_VENV)/bin
SPARK_CUSTOMERS ?= 300
SPARK_RAW := $(CURDIR)/data/spark/raw
SPARK_DIR := $(CURDIR)/warehouse/spark
SPARK_DUCKDB := $(CURDIR)/warehouse/spark-compare.duckdb

$(SPARK_BIN)/.installed-spark: requirements.lock requirements-spark.lock pyproject.toml
	@command -v java >/dev/null || { echo "error: java not found; Spark needs a Java 17 runtime (Debian: openjdk-17-jre-headless)"; exit 1; }
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(SPARK_BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock -r requirements-spark.lock
	$(SPARK_BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(SPARK_BIN)/python -m pip check
	@touch $@

$(SPARK_RAW)/.generated-$(SPARK_CUSTOMERS)-$(TEST_SEED): $(SPARK_BIN)/.installed-spark
	rm -f $(SPARK_RAW)/.generated-*
	$(SPARK_BIN)/bankseg generate --customers $(SPARK_CUSTOMERS) --seed $(TEST_SEED) --months 24 --out $(SPARK_RAW) --quiet
	@touch $@

test-spark: $(SPARK_RAW)/.generated-$(SPARK_CUSTOMERS)-$(TEST_SEED)
	rm -rf $(SPARK_DIR) $(SPARK_DUCKDB)
	BANKSEG_RAW_DIR=$(SPARK_RAW) BANKSEG_SPARK_DIR=$(SPARK_DIR) \
		$(SPARK_BIN)/dbt build --target spark --selector spark --target-path $(CURDIR)/target/spark
	BANKSEG_RAW_DIR=$(SPARK_RAW) BANKSEG_DUCKDB_PATH=$(SPARK_DUCKDB) \
		$(SPARK_BIN)/dbt build --selector spark --target-path $(CURDIR)/target/spark-duckdb
	BANKSEG_SPARK_WAREHOUSE=$(SPARK_DIR)/warehouse BANKSEG_SPARK_COMPARE_DUCKDB=$(SPARK_DUCKDB) \
		BANKSEG_SPARK_RUN_RESULTS=$(CURDIR)/target/spark/run_results.json $(SPARK_BIN)/pytest -m spark

# ---- the benchmark (issue: scale) --------------------------------------------------------------------------
# bankseg bench per size: generation, dbt build per layer + tests, docs, a daily incremental run checked against a
# full refresh, publish, and dbt against DuckDB alone; JSON under bench/ (docs/bench.md)
BENCH_SIZES ?= 10000 100000 1000000
bench: $(BIN)/.installed
	@for n in $(BENCH_SIZES); do \
		$(BIN)/bankseg bench --customers $$n --out $(CURDIR)/bench/bench-n$$n.json || exit 1; \
	done

clean:
	rm -rf target logs data/raw data/test data/real data/spark warehouse/*.duckdb warehouse/*.wal warehouse/tmp warehouse/serving \
		warehouse/spark
