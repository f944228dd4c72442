# Two commands for a fresh machine: `make demo` and `make test` (README.md).
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup demo test lint bench train train-cv train-head clean

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

# The same-claim judge (models/judge.json, models/judge.safetensors) from MRPC's training
# pairs and ECB+'s dev-half annotation in ../shared/corpus (about 15 minutes on 2 cores),
# then its claims scored on the annotated seeds and ECB+ stories it never saw, into the
# manifest. peft is needed for training only, so it is installed here, not by setup.
# train-cv: the same recipe 5-fold on MRPC's training split (about 65 minutes).
CORPUS ?= ../shared/corpus
train: setup
	$(PIP) install --quiet -e '.[train]'
	$(PY) -m consistency.judge_training $(CORPUS) models/
	$(PY) benchmarks/eval_claims.py

train-cv: setup
	$(PIP) install --quiet -e '.[train]'
	$(PY) benchmarks/eval_judge_mrpc.py

# The earlier claim-link head, fitted on the annotated seeds (models/link_head.json); the
# benchmarks compare the judge with it.
train-head: setup
	$(PY) -m consistency.linkhead tests/data/seed_claims.csv seeds/ models/link_head.json benchmarks/data/ecbplus

clean:
	rm -rf $(VENV) out/ .pytest_cache .mypy_cache .ruff_cache
