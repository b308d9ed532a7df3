"""The tutorial notebook (notebooks/tutorial.ipynb) runs top to bottom at a tiny size on real
MNIST: its samples and curves are shown inline, and the saved face run's verdict
(examples/face-s8-32px) is read beside its calibration rows."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "tutorial.ipynb"


@pytest.mark.slow
def test_the_tutorial_notebook_runs_and_shows_its_results(tmp_path, monkeypatch):
    if not os.environ.get("GANLEAK_DATA_DIR"):
        pytest.skip("GANLEAK_DATA_DIR is not set (real MNIST needed)")
    import nbformat
    from nbclient import NotebookClient

    for name, value in (("OUT", tmp_path / "runs"), ("ROUNDS", 2), ("RECORDS", 30)):
        monkeypatch.setenv(f"GANLEAK_NOTEBOOK_{name}", str(value))
    monkeypatch.setenv("GANLEAK_FACE_RUN", str(ROOT / "examples" / "face-s8-32px"))
    monkeypatch.setenv("GANLEAK_FACE_PICTURE", str(ROOT / "docs" / "face_s8_32px_round_0600.png"))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 3                  # the MNIST grid, the curves, the face grid
    assert "round 2: oracle rate" in text and "verdict" in text
    for row in ("this run", "heldout_faces", "other_faces", "uniform_noise"):
        assert row in text, text[-1500:]
    assert (tmp_path / "runs" / "mnist" / "summary.json").is_file()
