"""Bad input and runtime failures through the CLI: the table of docs/cli.md, row by row.

Usage errors exit 2 and name the option; runtime failures exit 1 with one ``Error:`` line; no
traceback ever; a failed run never leaves a folder that looks complete.
"""

import errno
import json
import os

import pytest
from cli_runs import invoke

from ganleak_cli.simulation.config import SimConfig

# The smallest real run: a few records, one round, no attack (the oracle is not needed).
TINY = ["--rounds", "1", "--records-per-class", "20", "--local-steps", "1", "--attack", "none"]


def assert_fails(result, code, *named):
    """Exit ``code``, exactly one Error line naming everything in ``named``, no traceback."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    for text in named:
        assert text in errors[0], errors[0]


def needs_mnist():
    if not os.environ.get("GANLEAK_DATA_DIR"):
        pytest.skip("GANLEAK_DATA_DIR is not set")


def test_out_that_is_a_file_is_a_usage_error(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    assert_fails(invoke(["simulate", "--out", str(target)]), 2, "--out")


def test_out_below_a_file_cannot_be_created(tmp_path):
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "run"
    assert_fails(invoke(["simulate", "--out", str(out)]), 1, "--out", "is a file")


def test_out_in_a_read_only_folder(tmp_path, monkeypatch):
    real_access = os.access  # root ignores chmod: pretend tmp_path is read-only
    monkeypatch.setattr(os, "access", lambda path, mode: (
        real_access(path, mode) and not str(path).startswith(str(tmp_path))))
    out = tmp_path / "run"
    assert_fails(invoke(["simulate", "--out", str(out)]), 1, "--out", "not writable")
    assert not out.exists()


def test_disk_full_mid_run_exits_1_and_leaves_an_incomplete_folder(tmp_path, monkeypatch):
    needs_mnist()

    def full(self, record):
        raise OSError(errno.ENOSPC, "No space left on device", str(self.root / "metrics.jsonl"))

    monkeypatch.setattr("ganleak_cli.runfolder.artifacts.RunFolder.append_metrics", full)
    out = tmp_path / "run"
    assert_fails(invoke(["simulate", *TINY, "--out", str(out)]), 1, "No space left on device")
    assert (out / "INCOMPLETE").is_file() and not (out / "summary.json").exists()


def test_resume_of_a_folder_that_is_not_a_run(tmp_path):
    assert_fails(invoke(["simulate", "--resume", str(tmp_path)]), 2, "--resume", "config.json")


def test_resume_of_a_missing_folder(tmp_path):
    assert_fails(invoke(["simulate", "--resume", str(tmp_path / "nope")]), 2, "--resume")


def write_run(folder, **options) -> None:
    folder.mkdir()
    cfg = SimConfig.from_options(out=str(folder), rounds=1, records_per_class=20, local_steps=1,
                                 attack="none", **options)
    (folder / "config.json").write_text(json.dumps({**cfg.to_dict(), "versions": {}}))


def test_resume_with_other_options_is_refused(tmp_path):
    write_run(tmp_path / "run")
    result = invoke(["simulate", "--resume", str(tmp_path / "run"), "--theta-u", "0.5"])
    assert_fails(result, 2, "--resume", "--theta-u")


def test_resume_with_a_corrupt_checkpoint_names_it(tmp_path):
    needs_mnist()
    write_run(tmp_path / "run")
    (tmp_path / "run" / "checkpoint.npz").write_bytes(b"not a zip file")
    assert_fails(invoke(["simulate", "--resume", str(tmp_path / "run")]), 1, "checkpoint.npz")


def test_resume_with_a_checkpoint_of_other_options_is_refused(tmp_path):
    needs_mnist()
    write_run(tmp_path / "a", seed=1)
    assert invoke(["simulate", "--resume", str(tmp_path / "a"), "--checkpoint-every", "1"]
                  ).exit_code == 2  # --checkpoint-every is an option of the run
    write_run(tmp_path / "b", seed=2)
    from ganleak_cli.runfolder.checkpoint import save_checkpoint
    save_checkpoint(tmp_path / "b", {"format": 1, "config": {"seed": 1}})
    assert_fails(invoke(["simulate", "--resume", str(tmp_path / "b")]), 1, "other options")


def test_bad_config_value_from_the_environment_names_the_option(tmp_path):
    result = invoke(["simulate", "--out", str(tmp_path / "run")],
                    env={"GANLEAK_THETA_U": "lots"})
    assert_fails(result, 2, "--theta-u")


def test_data_dir_that_is_a_file_is_a_usage_error(tmp_path):
    (tmp_path / "file").write_text("x")
    result = invoke(["simulate", "--data-dir", str(tmp_path / "file"), "--out",
                     str(tmp_path / "run")])
    assert_fails(result, 2, "--data-dir")
    assert not (tmp_path / "run").exists()


def test_more_victims_than_records_names_victims(tmp_path):
    needs_mnist()
    result = invoke(["simulate", *TINY, "--victims", "500", "--out", str(tmp_path / "run")])
    assert_fails(result, 2, "--victims")
    assert not (tmp_path / "run").exists()


def test_resume_of_a_run_killed_before_its_first_checkpoint_starts_over(tmp_path):
    """A run killed right after writing config.json (nothing else yet) still resumes."""
    needs_mnist()
    write_run(tmp_path / "run")
    result = invoke(["simulate", "--resume", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "run" / "summary.json").is_file()
    assert not (tmp_path / "run" / "INCOMPLETE").exists()
    assert len((tmp_path / "run" / "metrics.jsonl").read_text().splitlines()) == 1
