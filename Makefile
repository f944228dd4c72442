# Two commands for a fresh machine: `make demo` and `make test` (README.md).
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup demo test lint bench train clean

setup: $(STAMP)

# torch==2.13.0 goes in first: it is the CPU wheel on this machine's disk. Installing
# sentence-transformers before it would resolve an unpinned torch with CUDA packages (GBs).
$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[test,notebook]'
	touch $(STAMP)

demo: setup
	$(VENV)/bin/consistency check seeds/ --out out/

test: setup
	$(VENV)/bin/ruff check consistency tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

bench: setup
	$(PY) benchmarks/bench_seeds.py
	$(PY) benchmarks/eval_clustering.py
	$(PY) benchmarks/bench_ingest.py
	$(PY) benchmarks/bench_slots.py
	$(PY) benchmarks/eval_tempeval.py
	$(PY) benchmarks/review_ecbplus.py
	$(PY) benchmarks/bench_backends.py
	$(PY) benchmarks/eval_stories.py
	$(PY) benchmarks/bench_scale.py  # BENCH_LEVELS=1000,10000,100000 for the 100k level

# Refit the claim-link head from the annotated seed pairs (models/link_head.json).
train: setup
	$(PY) -m consistency.linkhead tests/data/seed_claims.csv seeds/ models/link_head.json

clean:
	rm -rf $(VENV) out/ .pytest_cache .mypy_cache .ruff_cache
