"""tools/golden.py: the before/after comparison of a refactor finds every changed byte and
ignores only the folder name and the wall time."""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("golden", ROOT / "tools" / "golden.py")
golden = importlib.util.module_from_spec(spec)
spec.loader.exec_module(golden)


def run_folder(root: Path, out: str, wall: float, metric: float) -> Path:
    (root / "samples").mkdir(parents=True)
    (root / "config.json").write_text(json.dumps({"out": out, "seed": 1}))
    (root / "summary.json").write_text(json.dumps({"timing": {"wall_seconds": wall}, "acc": 0.5}))
    (root / "metrics.jsonl").write_text(json.dumps({"round": 1, "acc": metric}) + "\n")
    (root / "samples" / "round_0001.npz").write_bytes(b"\x00\x01\x02")
    return root


def test_same_run_in_another_folder_at_another_speed_is_identical(tmp_path):
    a = run_folder(tmp_path / "a", "/x/a", 10.0, 0.25)
    b = run_folder(tmp_path / "b", "/y/b", 99.0, 0.25)
    assert golden.differences(a, b) == []
    assert golden.main(["compare", str(a), str(b)]) == 0


def test_a_changed_metric_byte_or_a_missing_file_is_named(tmp_path):
    a = run_folder(tmp_path / "a", "/x/a", 10.0, 0.25)
    b = run_folder(tmp_path / "b", "/x/a", 10.0, 0.26)
    (b / "samples" / "round_0001.npz").write_bytes(b"\x00\x01\x03")
    (a / "grids").mkdir()
    (a / "grids" / "round_0001.png").write_bytes(b"png")
    assert golden.differences(a, b) == [f"only in {a}: grids/round_0001.png",
                                        "differs: metrics.jsonl",
                                        "differs: samples/round_0001.npz"]
    assert golden.main(["compare", str(a), str(b)]) == 1


def test_a_changed_config_value_is_a_difference(tmp_path):
    a = run_folder(tmp_path / "a", "/x/a", 10.0, 0.25)
    b = run_folder(tmp_path / "b", "/x/a", 10.0, 0.25)
    (b / "config.json").write_text(json.dumps({"out": "/x/a", "seed": 2}))
    assert golden.differences(a, b) == ["differs: config.json"]
