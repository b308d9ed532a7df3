"""Golden run folders: the safety net of a refactor (the same seed must give the same bytes).

    python tools/golden.py record DIR      # run the five configurations into DIR/<name>/
    python tools/golden.py compare A B     # exit 1 and name every file that differs

``record`` runs DSSGD (the headline attack), FedAvg, Shokri's DP, DP-SGD and MI-FACE on real
MNIST at a tiny scale (a few minutes on a 2-core CPU; ``GANLEAK_DATA_DIR`` as for the tests).
Record on the commit before a refactor and on the one after, then compare: metrics.jsonl,
samples/ and grids/ must be byte-identical; config.json and summary.json are compared as JSON
without the keys that name the folder or time the run (``out``, ``wall_seconds``).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

SMALL = ["--rounds", "3", "--eval-every", "3", "--records-per-class", "30", "--seed", "11"]
CONFIGS = {
    "dssgd_headline": [],
    "fedavg": ["--protocol", "fedavg"],
    "shokri_dp": ["--theta-u", "0.1", "--dp-eps-per-param", "100"],
    "dpsgd": ["--defense", "dpsgd", "--noise-multiplier", "1.1"],
    "mi_face": ["--attack", "mia", "--mia-iterations", "30"],
}
VOLATILE = {"out", "wall_seconds"}
JSON_FILES = {"config.json", "summary.json"}


def record(root: Path) -> None:
    """Run every configuration into ``root/<name>`` (replacing an earlier recording)."""
    for name, extra in CONFIGS.items():
        out = root / name
        cmd = ["ganleak", "simulate", *SMALL, *extra, "--out", str(out), "--overwrite"]
        print(" ".join(cmd), flush=True)
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def without_volatile(value):
    """A JSON value with the volatile keys removed at every depth."""
    if isinstance(value, dict):
        return {k: without_volatile(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [without_volatile(v) for v in value]
    return value


def fingerprint(path: Path) -> str:
    """sha256 of a file's bytes, or of its JSON without the volatile keys."""
    if path.name in JSON_FILES:
        data = without_volatile(json.loads(path.read_text()))
        return "json:" + json.dumps(data, sort_keys=True)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_prints(root: Path) -> dict[str, str]:
    """Relative path → fingerprint of every file under ``root``."""
    return {str(p.relative_to(root)): fingerprint(p) for p in sorted(root.rglob("*"))
            if p.is_file()}


def differences(a: Path, b: Path) -> list[str]:
    """One line per file that is missing on one side or differs."""
    left, right = folder_prints(a), folder_prints(b)
    lines = [f"only in {a}: {k}" for k in sorted(left.keys() - right.keys())]
    lines += [f"only in {b}: {k}" for k in sorted(right.keys() - left.keys())]
    lines += [f"differs: {k}" for k in sorted(left.keys() & right.keys()) if left[k] != right[k]]
    return lines


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "record":
        record(Path(argv[1]))
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        lines = differences(Path(argv[1]), Path(argv[2]))
        count = len(folder_prints(Path(argv[1])))
        print("\n".join(lines) if lines else f"identical: {count} files")
        return 1 if lines else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
