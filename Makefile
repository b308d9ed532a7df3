# ganleak — common tasks. PYTHON may point at a virtual environment's interpreter.
PYTHON ?= python
DATA_DIR ?= $(GANLEAK_DATA_DIR)

.PHONY: install test test-fast test-slow bench headline sweep-example clean

install:  ## install ganleak and its test dependencies (editable)
	$(PYTHON) -m pip install -e '.[dev]'

test:  ## the whole suite, real-data attack tests included (what CI runs)
	$(PYTHON) -m pytest -q

test-fast:  ## unit and CLI tests only
	$(PYTHON) -m pytest -q -m "not slow"

test-slow:  ## only the real-data simulations
	$(PYTHON) -m pytest -q -m slow

bench:  ## DSSGD vs plain Keras; Shokri vectorised vs per-element loop; cost of op determinism
	$(PYTHON) benchmarks/bench_dssgd.py
	$(PYTHON) benchmarks/bench_shokri.py
	$(PYTHON) benchmarks/bench_determinism.py

headline:  ## the headline attack: 1 victim, active GAN insider, MNIST class 3
	$(PYTHON) -m ganleak_cli.cli simulate --victims 1 --out runs/headline --overwrite

sweep-example:  ## a tiny sweep (5 runs, 2 at a time): runs/sweep-tiny/*/ and results.csv
	$(PYTHON) -m ganleak_cli.cli sweep docs/sweep_tiny.toml --out runs/sweep-tiny --jobs 2

clean:
	rm -rf runs .pytest_cache build *.egg-info
