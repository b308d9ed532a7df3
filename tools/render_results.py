"""Render docs/results.md, the README's headline table and docs/privacy.md's audit table from the
committed results files.

    python tools/render_results.py           # write both
    python tools/render_results.py --check   # exit 1, naming each stale file, when either differs

The results files under results/ are ``results.json`` files written by ``ganleak reproduce``
(``make reproduce-figures``, ``make frontier``); see ganleak_cli/report/results_page.py. The
audit tables come from results/audit/bench_audit.json (``make bench-audit``) and
results/audit/run-*.json (``make audit-runs``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ganleak_cli.core.errors import GanleakError
from ganleak_cli.report.audit_table import audit_block, load_rows, runs_block
from ganleak_cli.report.results_page import load_results, readme_block, render_page, splice

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results"
PAGE = ROOT / "docs" / "results.md"
README = ROOT / "README.md"
PRIVACY = ROOT / "docs" / "privacy.md"
AUDIT = RESULTS / "audit" / "bench_audit.json"
HEADLINE_PRESET = "mnist_attack"


def rendered() -> dict[Path, str]:
    """Each rendered file's new text."""
    documents = load_results(RESULTS)
    readme = splice(README.read_text(encoding="utf-8"), readme_block(documents, HEADLINE_PRESET))
    audit = audit_block(load_rows(AUDIT), str(AUDIT.relative_to(ROOT)))
    runs = [(str(path.relative_to(ROOT)), load_rows(path))
            for path in sorted(AUDIT.parent.glob("run-*.json"))]
    privacy = splice(PRIVACY.read_text(encoding="utf-8"), audit, "audit")
    if runs:
        privacy = splice(privacy, runs_block(runs), "audit-runs")
    return {PAGE: render_page(documents), README: readme, PRIVACY: privacy}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed files instead of writing them")
    args = parser.parse_args()
    try:
        pages = rendered()
    except (GanleakError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stale = []
    for path, text in pages.items():
        if path.read_text(encoding="utf-8") == text:
            continue
        if args.check:
            stale.append(path.relative_to(ROOT))
        else:
            path.write_text(text, encoding="utf-8")
            print(f"rendered {path.relative_to(ROOT)}")
    for path in stale:
        print(f"{path} differs from what results/*.json render: run `make results`",
              file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
