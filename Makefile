# ganleak — common tasks. PYTHON may point at a virtual environment's interpreter.
PYTHON ?= python
DATA_DIR ?= $(GANLEAK_DATA_DIR)

.PHONY: install test test-fast test-slow bench headline clean

install:  ## install ganleak and its test dependencies (editable)
	$(PYTHON) -m pip install -e '.[dev]'

test:  ## the whole suite, real-data attack tests included (what CI runs)
	$(PYTHON) -m pytest -q

test-fast:  ## unit and CLI tests only
	$(PYTHON) -m pytest -q -m "not slow"

test-slow:  ## only the real-data simulations
	$(PYTHON) -m pytest -q -m slow

bench:  ## DSSGD round throughput vs plain Keras; Shokri's upload vectorised vs per-element loop
	$(PYTHON) benchmarks/bench_dssgd.py
	$(PYTHON) benchmarks/bench_shokri.py

headline:  ## the headline attack: 1 victim, active GAN insider, MNIST class 3
	$(PYTHON) -m ganleak_cli.cli simulate --victims 1 --out runs/headline --overwrite

clean:
	rm -rf runs .pytest_cache build *.egg-info
