"""AT&T (ORL) faces: registry, loading all 400 files, the fixed split, corrupted copies, the
scenario's class split, and the face models' shapes.

Real faces come from GANLEAK_DATA_DIR (these tests are skipped without it) and are only ever
copied into tmp_path.
"""

import shutil

import numpy as np
import pytest

from ganleak_cli.cli.commands.simulate_options import build_config
from ganleak_cli.cli.main import main
from ganleak_cli.core.errors import DataError
from ganleak_cli.data import class_defaults, load_dataset, registry
from ganleak_cli.data.att import HELDOUT_IMAGES, att_files
from ganleak_cli.data.partition import split_records

ENTRY = registry.registry_entry("att")


@pytest.fixture
def no_download(tmp_path, monkeypatch):
    monkeypatch.setenv("GANLEAK_CACHE_DIR", str(tmp_path / "cache"))

    def refuse(dataset, spec, mirrors):
        raise DataError(f"{spec['name']}: download attempted in a test")
    monkeypatch.setattr(registry, "_download", refuse)


# --- registry (no data needed) ------------------------------------------------------------------

def test_registry_lists_400_faces_with_sizes_and_hashes():
    files = ENTRY["files"]
    assert len(files) == 400 and "att" in registry.registered_datasets()
    assert files["s40/10"]["name"] == "s40/10.pgm"
    assert all(len(f["sha256"]) == 64 and f["bytes"] == 10318 for f in files.values())
    assert ENTRY["archive"]["url"].endswith("att_faces.zip") and ENTRY["archive"]["sha256"] is None
    assert ENTRY["num_classes"] == 40 and len(att_files()) == 400


def test_att_class_defaults_split_the_persons_in_half():
    defaults = class_defaults("att")
    assert defaults == {"victim_classes": tuple(range(20)),
                        "adversary_classes": tuple(range(20, 40)), "target_class": 7}
    assert class_defaults("mnist")["target_class"] == 3


def test_cli_config_for_att_uses_the_face_defaults():
    cfg = build_config({"dataset": "att", "victim_classes": None, "adversary_classes": None,
                        "target_class": None})
    assert cfg.data.victim_classes == tuple(range(20)) and cfg.data.target_class == 7
    mnist = build_config({"dataset": "mnist", "victim_classes": None,
                          "adversary_classes": None, "target_class": None})
    assert mnist.data.victim_classes == (0, 1, 2, 3, 4) and mnist.data.target_class == 3


def test_att_takes_its_own_attack_defaults_unless_options_are_given():
    unset = dict.fromkeys(("rounds", "eval_every", "local_steps", "gen_steps", "fakes_per_turn",
                           "gen_tv", "gen_lr"))
    cfg = build_config({"dataset": "att", **unset})
    assert (cfg.run.rounds, cfg.evaluation.eval_every, cfg.exchange.local_steps,
            cfg.attack.gen_steps) == (1000, 100, 1, 1)
    assert (cfg.attack.fakes_per_turn, cfg.attack.gen_tv, cfg.attack.gen_lr) == (64, 4.0, 4e-4)
    mnist = build_config({"dataset": "mnist", **unset})
    assert (mnist.run.rounds, mnist.exchange.local_steps, mnist.attack.fakes_per_turn,
            mnist.attack.gen_tv) == (100, 10, 640, 0.0)
    assert mnist.attack.gen_lr == 2e-4
    given = build_config({"dataset": "att", **unset, "rounds": 30, "gen_tv": 0.0})
    assert (given.run.rounds, given.attack.gen_tv, given.exchange.local_steps) == (30, 0.0, 1)


def test_mnist_rejects_another_image_size():
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["privacy", "--image-size", "64"])
    assert result.exit_code == 2 and "--image-size" in result.output


def test_att_classes_out_of_range_are_a_usage_error():
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["privacy", "--dataset", "att", "--victim-classes",
                                       "0-40"])
    assert result.exit_code == 2 and "--victim-classes" in result.output


# --- real faces -----------------------------------------------------------------------------------

def test_all_400_faces_load_resized_and_split(faces):
    assert faces.name == "att" and faces.num_classes == 40
    assert faces.x_train.shape == (280, 64, 64, 1) and faces.x_test.shape == (120, 64, 64, 1)
    assert faces.image_shape == (64, 64, 1) and faces.x_train.dtype == np.uint8
    assert np.bincount(faces.y_train).tolist() == [7] * 40
    assert np.bincount(faces.y_test).tolist() == [3] * 40


def test_the_split_is_images_8_to_10_of_each_person(faces, att_dir):
    from ganleak_cli.data.images import read_image

    s5_9 = read_image(att_dir / "att_faces" / "s5" / "9.pgm", 64)
    s5_2 = read_image(att_dir / "att_faces" / "s5" / "2.pgm", 64)
    assert HELDOUT_IMAGES == (8, 9, 10)
    np.testing.assert_array_equal(faces.x_test[4 * 3 + 1], s5_9)
    np.testing.assert_array_equal(faces.x_train[4 * 7 + 1], s5_2)
    train = {x.tobytes() for x in faces.x_train}
    assert not any(x.tobytes() in train for x in faces.x_test)  # disjoint


def test_image_size_option_resizes(att_dir):
    assert load_dataset("att", str(att_dir), image_size=32).x_train.shape[1:] == (32, 32, 1)


def _copy_faces(att_dir, target):
    shutil.copytree(att_dir / "att_faces", target, ignore=shutil.ignore_patterns("README"))
    return target


def test_flat_layout_and_a_corrupted_copy_named(att_dir, tmp_path, no_download):
    flat = _copy_faces(att_dir, tmp_path / "flat")  # flat: <data-dir>/sN/M.pgm
    assert load_dataset("att", str(flat)).x_train.shape == (280, 64, 64, 1)
    damaged = flat / "s7" / "3.pgm"
    raw = bytearray(damaged.read_bytes())
    raw[-1] ^= 0xFF
    damaged.write_bytes(bytes(raw))
    with pytest.raises(DataError, match=r"s7/3\.pgm.*sha256 mismatch"):
        load_dataset("att", str(flat))


def test_a_missing_face_is_named_without_downloading(att_dir, tmp_path, no_download):
    folder = _copy_faces(att_dir, tmp_path / "data" / "att_faces")
    (folder / "s12" / "10.pgm").unlink()
    with pytest.raises(DataError, match=r"s12/10\.pgm"):
        load_dataset("att", str(tmp_path / "data"))


def test_scenario_split_persons_0_19_vs_20_39(faces):
    defaults = class_defaults("att")
    part = split_records(faces.y_train, defaults["victim_classes"],
                         defaults["adversary_classes"], 2, np.random.default_rng(0))
    victims = np.concatenate(part.victims)
    assert set(faces.y_train[victims]) == set(range(20))
    assert set(faces.y_train[part.adversary]) == set(range(20, 40))
    assert len(victims) == 140 and len(part.adversary) == 140
    assert not set(victims) & set(part.adversary)


# --- identity_match ------------------------------------------------------------------------------

def test_identity_match_counts_nearest_class():
    from ganleak_cli.metrics.identity import identity_match

    rng = np.random.default_rng(0)
    refs = rng.integers(0, 256, (6, 16, 16, 1), dtype=np.uint8)
    labels = np.array([0, 0, 1, 1, 2, 2])
    samples = refs[[0, 1, 2, 4]].astype(np.float32) / 127.5 - 1.0  # two of class 0
    assert identity_match(samples, refs, labels, 0) == 0.5
    assert identity_match(samples, refs, labels, 2) == 0.25


def test_identity_figures_on_real_faces(faces):
    from ganleak_cli.metrics.identity import identity_figures

    person3 = faces.x_test[faces.y_test == 3].astype(np.float32) / 127.5 - 1.0
    figures = identity_figures(person3, faces, 3)
    assert figures["identity_match"] == 1.0
    assert figures["identity_shuffled_baseline"] <= 0.2  # the match is structure, not histogram
    # the documented SSIM bias: uniform images are nearest to person s1 (class 0)
    assert identity_figures(person3, faces, 0)["identity_flat_baseline"] == 1.0


# --- `datasets verify att` and the archive download -------------------------------------------

def test_datasets_verify_att(att_dir, no_download):
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["datasets", "verify", "--data-dir", str(att_dir), "att"])
    assert result.exit_code == 0, result.output
    assert "400 files: 400 ok, 0 corrupt, 0 missing" in result.output


def _zip_faces(att_dir, path, damage=None):
    import zipfile

    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("att_faces/README", "readme")
        for spec in ENTRY["files"].values():
            raw = (att_dir / "att_faces" / spec["name"]).read_bytes()
            if spec["name"] == damage:
                raw = raw[:-1] + bytes([raw[-1] ^ 1])
            bundle.writestr("att_faces/" + spec["name"], raw)
    return path


def _fake_get_file(monkeypatch, archive, calls):
    import keras

    def get_file(fname, origin, **kwargs):
        calls.append(origin)
        return str(archive)
    monkeypatch.setattr(keras.utils, "get_file", get_file)


def test_archive_download_extracts_and_verifies_every_face(att_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("GANLEAK_CACHE_DIR", str(tmp_path / "cache"))
    calls = []
    _fake_get_file(monkeypatch, _zip_faces(att_dir, tmp_path / "att_faces.zip"), calls)
    empty = tmp_path / "empty"
    empty.mkdir()
    faces = load_dataset("att", str(empty))
    assert faces.x_train.shape == (280, 64, 64, 1) and calls == [ENTRY["archive"]["url"]]
    assert (tmp_path / "cache" / "datasets" / "att" / "s40" / "10.pgm").is_file()
    assert load_dataset("att", str(empty)).x_test.shape == (120, 64, 64, 1) and len(calls) == 1


def test_a_corrupt_face_in_the_archive_is_rejected_by_name(att_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("GANLEAK_CACHE_DIR", str(tmp_path / "cache"))
    _fake_get_file(monkeypatch, _zip_faces(att_dir, tmp_path / "a.zip", damage="s2/5.pgm"), [])
    with pytest.raises(DataError, match=r"s2/5\.pgm.*sha256 mismatch"):
        load_dataset("att", str(tmp_path))


def test_forty_victims_by_class_hold_one_person_each(faces):
    part = split_records(faces.y_train, tuple(range(40)), (), 40, np.random.default_rng(0),
                         mode="by-class")
    assert len(part.victims) == 40 and len(part.adversary) == 0
    for person, share in enumerate(part.victims):
        assert len(share) == 7 and set(faces.y_train[share]) == {person}
    assert len(np.unique(np.concatenate(part.victims))) == 280


def test_by_class_deals_classes_round_robin():
    labels = np.repeat(np.arange(6), 3)
    part = split_records(labels, (0, 1, 2, 3, 4), (5,), 2, np.random.default_rng(0),
                         mode="by-class")
    assert set(labels[part.victims[0]]) == {0, 2, 4} and set(labels[part.victims[1]]) == {1, 3}
    assert set(labels[part.adversary]) == {5}


@pytest.mark.parametrize("args, named", [
    (["--adversary-classes", "none", "--attack", "passive"], "--adversary-classes"),
    (["--partition", "by-class", "--victims", "21"], "--victims"),
    (["--partition", "by-person"], "--partition"),
])
def test_scenario_options_are_checked(tmp_path, args, named):
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["simulate", "--dataset", "att", *args,
                                       "--out", str(tmp_path / "r")])
    assert result.exit_code == 2 and named in result.output
    assert "Traceback" not in result.output and not (tmp_path / "r").exists()


def test_adversary_without_records_is_accepted_for_the_active_attack():
    cfg = build_config({"dataset": "att", "victims": 40, "victim_classes": tuple(range(40)),
                        "adversary_classes": (), "partition": "by-class", "target_class": 7})
    assert cfg.data.adversary_classes == () and cfg.attack.attack == "active"


def _forty_victims(tmp_path, protocol, order):
    from click.testing import CliRunner

    out = tmp_path / f"{protocol}-{order}"
    args = ["simulate", "--dataset", "att", "--image-size", "32", "--victims", "40",
            "--victim-classes", "0-39", "--adversary-classes", "none", "--partition", "by-class",
            "--target-class", "7", "--protocol", protocol, "--order", order,
            "--rounds", "2", "--eval-every", "2",
            "--local-steps", "1", "--gen-steps", "2", "--fakes-per-turn", "64",
            "--eval-samples", "64", "--out", str(out), "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.slow
@pytest.mark.parametrize("protocol, order", [("dssgd", "round-robin"), ("dssgd", "random"),
                                             ("dssgd", "async"), ("fedavg", "round-robin")])
def test_forty_victims_and_the_adversary_run(att_dir, tmp_path, monkeypatch, protocol, order):
    import json

    monkeypatch.setenv("GANLEAK_DATA_DIR", str(att_dir))
    out = _forty_victims(tmp_path, protocol, order)
    config = json.loads((out / "config.json").read_text())
    summary = json.loads((out / "summary.json").read_text())
    assert config["victims"] == 40 and config["adversary_classes"] == []
    assert config["protocol"] == protocol and config["order"] == order
    assert summary["rounds"] == 2
    # the model learns to tell 40 people apart a little (chance: 1/40) and the attack is measured
    assert summary["model_accuracy"] > 1 / 40
    assert 0.0 <= summary["identity_match"] <= 1.0 and "identity_flat_baseline" in summary


@pytest.mark.slow
def test_face_attack_leaks_the_persons_face(att_dir, tmp_path_factory, monkeypatch):
    """`ganleak simulate --dataset att --victims 1 --image-size 32 --rounds 500` with att's
    defaults otherwise (target 7 = s8, one mini-batch a turn, the TV prior): the samples are the
    person by identity (far above both baselines), closer to her held-out faces by SSIM than
    those faces are to each other, far from other persons' faces, and not collapsed. The face
    verdict must pass but for the oracle: 32×32 (chosen to keep the test short) is below the
    paper's 64×64, where the oracle is sharper, so the test asks the oracle only for a clear
    majority (chance is 1/40) and leaves its 0.9 bar to the 64×64 presets."""
    import json

    from cli_runs import run_cli

    from ganleak_cli.metrics.verdict import failed_checks

    monkeypatch.setenv("GANLEAK_DATA_DIR", str(att_dir))
    out, _ = run_cli(tmp_path_factory, "face", "--dataset", "att", "--victims", "1",
                     "--target-class", "7", "--image-size", "32", "--rounds", "500")
    summary = json.loads((out / "summary.json").read_text())
    assert failed_checks(summary) in ([], ["oracle"]), summary["face_verdict_failed"]
    assert summary["oracle_target_rate"] >= 0.6   # chance 1/40; other persons' faces: 0
    assert summary["nn_ssim_heldout"] >= 0.6 and summary["sample_self_ssim"] <= 0.8
    calibration = json.loads((out / "calibration.json").read_text())
    rows = {row["set"]: row for row in calibration["rows"]}
    assert rows["private_faces"]["face_verdict"] == 1.0
    assert rows["uniform_noise"]["face_verdict"] == 0.0
    assert rows["other_faces"]["face_verdict"] == 0.0
    assert summary["nn_ssim_heldout"] >= rows["other_faces"]["nn_ssim_heldout"] + 0.25
    assert summary["nn_ssim_heldout"] >= rows["heldout_faces"]["nn_ssim_heldout"]
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["round"] for r in records] == list(range(100, 501, 100))   # att: every 100
    config = json.loads((out / "config.json").read_text())
    assert (config["local_steps"], config["gen_steps"], config["gen_tv"], config["gen_lr"]) == (
        1, 1, 4.0, 4e-4)
