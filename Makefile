# ganleak — common tasks. `make install` makes the virtual environment .venv (Python ≥ 3.10, every
# extra the tests use); every other target runs in it. PYTHON may point elsewhere.
VENV ?= .venv
PYTHON3 ?= python3
PYTHON ?= $(VENV)/bin/python
DATA_DIR ?= $(GANLEAK_DATA_DIR)
PROFILE ?= quick
JOBS ?= 2

.PHONY: install install-gpu lint docs docs-build test test-fast test-slow bench bench-audit audit-runs bench-face bench-sweep bench-memory bench-scale headline sweep-example \
	reproduce-figures frontier federation results results-check golden clean

install:  ## make .venv (Python >= 3.10) and install ganleak with everything the tests use
	@$(PYTHON3) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "ganleak needs Python >= 3.10; set PYTHON3=python3.x")'
	$(PYTHON3) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev,ray]'
	@echo "installed into $(VENV); run 'make test', or '. $(VENV)/bin/activate' for the ganleak command"

install-gpu: install  ## as install, then swap the CPU build of TensorFlow for the CUDA one (Linux + NVIDIA)
	$(VENV)/bin/python -m pip uninstall --quiet -y tensorflow-cpu
	$(VENV)/bin/python -m pip install --quiet 'tensorflow[and-cuda]>=2.16'
	$(VENV)/bin/ganleak doctor

lint:  ## ruff (lint, import order) and the import-linter layer contracts
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

docs:  ## serve the documentation site on http://127.0.0.1:8000 (MkDocs, Material theme)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs serve

docs-build:  ## build the site into site/ with every warning an error (broken links, anchors)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

test:  ## the whole suite, real-data attack tests included (what CI runs)
	$(PYTHON) -m pytest -q

test-fast:  ## unit and CLI tests only
	$(PYTHON) -m pytest -q -m "not slow"

test-slow:  ## only the real-data simulations
	$(PYTHON) -m pytest -q -m slow

bench:  ## DSSGD vs plain Keras; Shokri vectorised vs per-element loop; cost of op determinism; SSIM search vs tf.image.ssim
	$(PYTHON) benchmarks/bench_dssgd.py
	$(PYTHON) benchmarks/bench_shokri.py
	$(PYTHON) benchmarks/bench_determinism.py
	$(PYTHON) benchmarks/bench_ssim.py

bench-audit:  ## every audit at its defaults: bounds, ratios against the targets, seconds; writes results/audit/bench_audit.json (about 3 min)
	$(PYTHON) benchmarks/bench_audit.py --json results/audit/bench_audit.json

audit-runs:  ## whole-run audits of examples/audit/*.toml (the small runs honest and with a wrong claim; the two headline runs, about 35 min) into results/audit/run-*.json
	$(PYTHON) -m ganleak_cli.cli audit --run-config examples/audit/small-dpsgd.toml --json > results/audit/run-small-dpsgd.json || true
	$(PYTHON) -m ganleak_cli.cli audit --run-config examples/audit/small-dpsgd.toml --noise-scale 0.5 --json > results/audit/run-small-dpsgd-half-noise.json || true
	$(PYTHON) -m ganleak_cli.cli audit --run-config examples/audit/small-shokri.toml --json > results/audit/run-small-shokri.json || true
	$(PYTHON) -m ganleak_cli.cli audit --run-config examples/audit/small-shokri.toml --noise-scale 0.0001 --json > results/audit/run-small-shokri-1e4-epsilon.json || true
	$(PYTHON) -m ganleak_cli.cli audit --run-config examples/audit/headline-dpsgd.toml --json > results/audit/run-headline-dpsgd.json || true
	$(PYTHON) -m ganleak_cli.cli audit --run-config examples/audit/headline-shokri.toml --json > results/audit/run-headline-shokri.json || true
	$(PYTHON) tools/render_results.py

bench-face:  ## where a 64x64 face round's time goes, GFLOP/s against a matmul peak, XLA (about 3 min)
	$(PYTHON) benchmarks/bench_face_round.py

bench-sweep:  ## sweep throughput: 8 tiny configurations with 1 vs 2 workers (about 7 min)
	$(PYTHON) benchmarks/bench_sweep.py

bench-memory:  ## peak RSS of 40 AT&T victims + adversary vs 1 victim (needs the faces)
	$(PYTHON) benchmarks/bench_memory.py

bench-scale:  ## peak RSS and round time of MNIST FedAvg with 10 to 10,000 victims, 10 clients a round
	$(PYTHON) benchmarks/bench_scale.py

reproduce-figures:  ## every preset of ganleak_cli/presets/ at PROFILE=tiny|quick|full → figures/REPORT.md
	$(PYTHON) -m ganleak_cli.cli reproduce --profile $(PROFILE) --jobs $(JOBS)

frontier:  ## the defence frontier (Shokri DP, DP-SGD, sparsification; 3 seeds in quick) → figures/frontier/REPORT.md
	$(PYTHON) -m ganleak_cli.cli reproduce --profile $(PROFILE) --only frontier --figures figures/frontier --jobs $(JOBS)

federation:  ## the GAN insider among 100 / 1,000 / 10,000 FedAvg clients, 10 a round → figures/federation/REPORT.md
	$(PYTHON) -m ganleak_cli.cli reproduce --profile $(PROFILE) --only mnist_federation --figures figures/federation --jobs $(JOBS)

headline:  ## the headline attack: 1 victim, active GAN insider, MNIST class 3
	$(PYTHON) -m ganleak_cli.cli simulate --victims 1 --out runs/headline --overwrite

sweep-example:  ## a tiny sweep (5 runs, 2 at a time): runs/sweep-tiny/*/ and results.csv
	$(PYTHON) -m ganleak_cli.cli sweep docs/sweep_tiny.toml --out runs/sweep-tiny --jobs 2

results:  ## render docs/results.md and the README's headline table from results/*.json
	$(PYTHON) tools/render_results.py

results-check:  ## fail when docs/results.md or the README differ from what results/*.json render
	$(PYTHON) tools/render_results.py --check

golden:  ## record the five golden run folders into GOLDEN (default runs/golden); compare with tools/golden.py compare A B
	$(PYTHON) tools/golden.py record $(or $(GOLDEN),runs/golden)

clean:
	rm -rf runs figures-tiny .pytest_cache build *.egg-info
