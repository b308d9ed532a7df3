"""Bad input to every command but a full simulate run: the rows of docs/cli.md's table for
privacy, report, sweep, reproduce, datasets, audit and ``simulate --resume``, each driven through
the CLI. Usage errors exit 2, runtime ones 1; one ``Error:`` line names the input; no traceback;
nothing is written. None of these runs a simulation: each is refused before one starts."""

import json

import numpy as np
import pytest
from cli_runs import invoke
from PIL import Image
from test_hostile_input import assert_fails

NOT_FINITE = ["nan", "inf", "-inf"]


def write(folder, files: dict):
    """``folder`` with ``files`` (name → text or bytes) in it."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return folder


def images(folder, count, side=28):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(count):
        pixels = rng.integers(0, 256, (side, side), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"{i}.png")


# --- not-a-number and infinity, wherever a number comes from ------------------------------------

@pytest.mark.parametrize("value", NOT_FINITE)
@pytest.mark.parametrize("args, named", [
    (["simulate", "--lr"], "--lr"), (["simulate", "--gen-tv"], "--gen-tv"),
    (["simulate", "--tau"], "--tau"), (["simulate", "--gen-ema"], "--gen-ema"),
    (["privacy", "--dp-eps"], "--dp-eps"), (["privacy", "--theta-u"], "--theta-u"),
    (["privacy", "--noise-multiplier"], "--noise-multiplier"),
    (["audit", "--epsilon"], "--epsilon"), (["audit", "--confidence"], "--confidence"),
])
def test_a_number_that_is_not_finite_is_a_usage_error(tmp_path, args, named, value):
    result = invoke([*args, value, *(["--out", str(tmp_path / "r")] if args[0] == "simulate"
                                      else [])])
    assert_fails(result, 2, named)
    assert not (tmp_path / "r").exists()


def test_not_finite_from_the_environment_names_the_variable(tmp_path):
    result = invoke(["simulate", "--out", str(tmp_path / "r")], env={"GANLEAK_LR": "nan"})
    assert_fails(result, 2, "GANLEAK_LR")


@pytest.mark.parametrize("name, text", [("c.toml", "lr = nan\n"), ("c.json", '{"lr": Infinity}')])
def test_not_finite_in_a_config_file_names_the_key(tmp_path, name, text):
    config = write(tmp_path, {name: text}) / name
    for command in (["simulate", "--out", str(tmp_path / "r")], ["privacy"]):
        assert_fails(invoke([*command, "--config", str(config)]), 2, "--config", "'lr'")
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("flag", ["--grid", "--set"])
def test_not_finite_in_a_sweep_names_the_key(tmp_path, flag):
    result = invoke(["sweep", flag, "lr=nan", "--out", str(tmp_path / "s"), "--dry-run"])
    assert_fails(result, 2, flag, "'lr'")
    assert not (tmp_path / "s").exists()


# --- simulate --resume of a damaged config.json --------------------------------------------------

@pytest.mark.parametrize("recorded, named", [
    ([1, 2], "not a run's config"),
    ({"victims": "x"}, "key 'victims'"),
    ({"victims": -3}, "key 'victims'"),
    ({"rounds": 1.5}, "key 'rounds'"),
    ({"lr": None}, "key 'lr'"),
    ({"lr": "nan"}, "key 'lr'"),
    ({"dataset": 5}, "key 'dataset'"),
    ({"attack": "loud"}, "key 'attack'"),
    ({"deterministic": "yes"}, "key 'deterministic'"),
    ({"victim_classes": 3}, "victim_classes"),
    ({"victim_classes": ["a"]}, "victim_classes"),
])
def test_resume_of_a_damaged_config_names_the_key(tmp_path, recorded, named):
    run = write(tmp_path / "run", {"config.json": json.dumps(recorded)})
    before = sorted(p.name for p in run.iterdir())
    assert_fails(invoke(["simulate", "--resume", str(run)]), 2, "--resume", "config.json", named)
    assert sorted(p.name for p in run.iterdir()) == before


# --- report ---------------------------------------------------------------------------------------

RECORD = json.dumps({"round": 10, "oracle_target_rate": 0.5, "model_accuracy": 0.9}) + "\n"


@pytest.mark.parametrize("files, named", [
    ({"config.json": "{x", "metrics.jsonl": RECORD}, "config.json"),
    ({"config.json": "[]", "metrics.jsonl": RECORD}, "config.json"),
    ({"config.json": "{}"}, "metrics.jsonl"),
    ({"config.json": "{}", "metrics.jsonl": RECORD, "summary.json": "{bad"}, "summary.json"),
    ({"config.json": "{}", "metrics.jsonl": RECORD, "calibration.json": "{"}, "calibration.json"),
    ({"config.json": "{}", "metrics.jsonl": RECORD + "{broken\n" + RECORD}, "line 2"),
    ({"config.json": "{}", "metrics.jsonl": '{"round": "ten"}\n' + RECORD}, "line 1"),
    ({"config.json": "{}", "metrics.jsonl": '{"round": -1}\n' + RECORD}, "line 1"),
])
def test_report_of_a_damaged_run_names_the_file(tmp_path, files, named):
    run = write(tmp_path / "run", files)
    result = invoke(["report", str(run), "--out", str(tmp_path / "rep")])
    assert_fails(result, 2, "RUN_DIR", named)
    assert not (tmp_path / "rep").exists()


@pytest.mark.parametrize("make, named", [
    (lambda p: p / "missing", "does not exist"),
    (lambda p: write(p, {"afile": "x"}) / "afile", "is a file"),
])
def test_report_of_something_that_is_no_folder(tmp_path, make, named):
    assert_fails(invoke(["report", str(make(tmp_path)), "--out", str(tmp_path / "rep")]), 2,
                 named)


# --- reproduce ------------------------------------------------------------------------------------

@pytest.mark.parametrize("files, named", [
    ({"p.toml": "[[["}, "invalid TOML"),
    ({"p.toml": "bogus = 1\n"}, "unknown key 'bogus'"),
    ({"p.toml": 'title = "x"\n'}, "[runs.NAME]"),
    ({}, "holds no preset"),
])
def test_reproduce_with_damaged_presets_names_the_file(tmp_path, files, named):
    presets = write(tmp_path / "presets", files)
    presets.mkdir(exist_ok=True)
    result = invoke(["reproduce", "--presets", str(presets), "--runs", str(tmp_path / "runs"),
                     "--figures", str(tmp_path / "figs"), "--profile", "tiny"])
    assert_fails(result, 2, named)
    assert not (tmp_path / "runs").exists() and not (tmp_path / "figs").exists()


def test_reproduce_of_an_unknown_preset_or_a_runs_file(tmp_path):
    result = invoke(["reproduce", "--only", "nosuch", "--runs", str(tmp_path / "runs")])
    assert_fails(result, 2, "--only", "nosuch")
    afile = write(tmp_path, {"afile": "x"}) / "afile"
    assert_fails(invoke(["reproduce", "--runs", str(afile)]), 2, "--runs", "is a file")


# --- datasets -------------------------------------------------------------------------------------

@pytest.mark.parametrize("sub", ["list", "verify", "fetch"])
def test_datasets_of_an_unknown_dataset(sub):
    assert_fails(invoke(["datasets", sub, "nosuch"]), 2, "unknown dataset 'nosuch'")


def test_datasets_verify_names_corrupt_and_missing_files(tmp_path):
    folder = write(tmp_path / "d", {"train-images-idx3-ubyte.gz": "x"})
    result = invoke(["datasets", "verify", "mnist", "--data-dir", str(folder)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "1 corrupt, 3 missing" in result.output


# --- your own images (folder:PATH) ----------------------------------------------------------------

def test_a_folder_with_a_broken_image_names_the_image(tmp_path):
    for cls in ("a", "b"):
        images(tmp_path / "imgs" / cls, 6)
    write(tmp_path / "imgs" / "a", {"broken.png": b"\x89PNG broken"})
    result = invoke(["simulate", "--dataset", f"folder:{tmp_path / 'imgs'}", "--rounds", "1",
                     "--out", str(tmp_path / "r")])
    assert_fails(result, 2, "--dataset", "broken.png")
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("counts, named", [((6,), "two class sub-folders"),
                                           ((6, 1), "at least two images")])
def test_a_folder_with_one_class_or_a_one_image_class(tmp_path, counts, named):
    for cls, count in zip("ab", counts):
        images(tmp_path / "imgs" / cls, count)
    result = invoke(["simulate", "--dataset", f"folder:{tmp_path / 'imgs'}", "--rounds", "1",
                     "--out", str(tmp_path / "r")])
    assert_fails(result, 2, "--dataset", named)
    assert not (tmp_path / "r").exists()


def test_privacy_refuses_a_folder_dataset(tmp_path):
    for cls in ("a", "b"):
        images(tmp_path / "imgs" / cls, 3)
    assert_fails(invoke(["privacy", "--dataset", f"folder:{tmp_path / 'imgs'}"]), 2,
                 "--dataset", "registered dataset")


# --- audit ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, named", [
    (["--trials", "0"], "--trials"), (["--confidence", "1"], "--confidence"),
    (["--mechanism", "shokri", "--c", "10", "--params", "5"], "--c"),
    (["--mechanism", "shokri", "--noise-multiplier", "1"], "--noise-multiplier"),
])
def test_audit_bad_settings_are_usage_errors(args, named):
    assert_fails(invoke(["audit", *args]), 2, named)
