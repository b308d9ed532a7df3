"""``--dataset folder:PATH``: class folders, colour, resizing, the held-out split, and the clear
usage errors (exit 2 naming --dataset) for bad folders. Tiny PNG folders built in tmp_path."""

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from ganleak_cli.cli.commands.simulate_options import build_config
from ganleak_cli.cli.main import main
from ganleak_cli.core.errors import ConfigError
from ganleak_cli.data import class_defaults, dataset_num_classes, load_dataset
from ganleak_cli.data.folder import heldout_count


def make_folder(root, counts=(4, 5, 3), side=10, mode="L"):
    """One sub-folder per class (``b_…`` sorts after ``a_…``) of random PNGs."""
    rng = np.random.default_rng(0)
    for c, n in enumerate(counts):
        folder = root / f"{chr(ord('a') + c)}_class"
        folder.mkdir(parents=True)
        for i in range(n):
            shape = (side, side + 3) if mode == "L" else (side, side + 3, 3)
            Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode).save(
                folder / f"{i}.png")
    return root


def test_loads_sorted_classes_resized_and_split(tmp_path):
    root = make_folder(tmp_path / "imgs")
    data = load_dataset(f"folder:{root}", image_size=32)
    assert data.num_classes == 3 and data.image_shape == (32, 32, 1)
    assert np.bincount(data.y_test).tolist() == [heldout_count(n) for n in (4, 5, 3)] == [1, 2, 1]
    assert np.bincount(data.y_train).tolist() == [3, 3, 2]
    train = {x.tobytes() for x in data.x_train}
    assert not any(x.tobytes() in train for x in data.x_test)


def test_split_is_fixed_and_default_size_is_64(tmp_path):
    root = make_folder(tmp_path / "imgs")
    one, two = load_dataset(f"folder:{root}"), load_dataset(f"folder:{root}")
    assert one.image_shape == (64, 64, 1)
    np.testing.assert_array_equal(one.x_test, two.x_test)


def test_rgb_colour(tmp_path):
    root = make_folder(tmp_path / "imgs", mode="RGB")
    assert load_dataset(f"folder:{root}", image_size=28, color="rgb").image_shape == (28, 28, 3)
    assert load_dataset(f"folder:{root}", image_size=28).image_shape == (28, 28, 1)


def test_class_defaults_and_cli_config(tmp_path):
    root = make_folder(tmp_path / "imgs", counts=(2, 2, 2, 2))
    name = f"folder:{root}"
    assert dataset_num_classes(name) == 4
    assert class_defaults(name) == {"victim_classes": (0, 1), "adversary_classes": (2, 3),
                                    "target_class": 0}
    cfg = build_config({"dataset": name, "victim_classes": None, "adversary_classes": None,
                        "target_class": None})
    assert cfg.data.dataset == name and cfg.data.adversary_classes == (2, 3)


def usage_error(*args):
    result = CliRunner().invoke(main, ["simulate", "--out", "/nonexistent/never", *args])
    assert result.exit_code == 2, result.output
    assert "--dataset" in result.output and "Traceback" not in result.output
    return result.output


def test_missing_path_is_a_usage_error(tmp_path):
    assert "is not a folder" in usage_error("--dataset", f"folder:{tmp_path / 'nope'}")


def test_fewer_than_two_classes(tmp_path):
    root = make_folder(tmp_path / "imgs", counts=(3,))
    assert "at least two class sub-folders" in usage_error("--dataset", f"folder:{root}")


def test_empty_class_folder(tmp_path):
    root = make_folder(tmp_path / "imgs", counts=(3, 3))
    (root / "c_empty").mkdir()
    assert "c_empty needs at least two images" in usage_error("--dataset", f"folder:{root}")


def test_unreadable_image_is_named(tmp_path):
    root = make_folder(tmp_path / "imgs", counts=(3, 3))
    (root / "b_class" / "broken.png").write_bytes(b"not a png at all")
    with pytest.raises(ConfigError, match=r"^dataset: .*broken\.png: cannot read"):
        load_dataset(f"folder:{root}")


def test_unreadable_image_through_the_cli(tmp_path, monkeypatch):
    root = make_folder(tmp_path / "imgs", counts=(3, 3))
    (root / "a_class" / "zz.jpg").write_bytes(b"\xff\xd8garbage")
    monkeypatch.setenv("GANLEAK_CACHE_DIR", str(tmp_path / "cache"))
    result = CliRunner().invoke(main, ["simulate", "--dataset", f"folder:{root}",
                                       "--image-size", "28", "--out", str(tmp_path / "run")])
    assert result.exit_code == 2, result.output
    assert "--dataset" in result.output and "zz.jpg" in result.output


def test_bad_image_size_and_colour(tmp_path):
    root = make_folder(tmp_path / "imgs")
    for size in ("30", "20"):
        result = CliRunner().invoke(main, ["simulate", "--dataset", f"folder:{root}",
                                           "--image-size", size, "--out", "/nonexistent/x"])
        assert result.exit_code == 2 and "--image-size" in result.output
    result = CliRunner().invoke(main, ["simulate", "--color", "sepia"])
    assert result.exit_code == 2 and "--color" in result.output
