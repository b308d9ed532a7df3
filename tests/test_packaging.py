"""The wheel carries every package and the presets (a non-editable install must work; CI builds
and installs the wheel too: .ci/wheel-check)."""

import subprocess
import sys
import zipfile
from pathlib import Path

import ganleak_cli
from ganleak_cli.cli.reproduce.presets import shipped_presets

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def declared_packages() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return set(config["tool"]["setuptools"]["packages"])


def test_every_package_folder_is_declared_for_the_wheel():
    on_disk = {".".join(p.parent.relative_to(ROOT).parts)
               for p in (ROOT / "ganleak_cli").rglob("__init__.py")}
    assert on_disk, "no package found"
    missing = on_disk - declared_packages()
    assert not missing, f"not in pyproject.toml [tool.setuptools] packages: {sorted(missing)}"


def test_presets_are_package_data_read_through_importlib_resources():
    folder = shipped_presets()
    assert folder == Path(ganleak_cli.__file__).parent / "presets"
    assert {"att_faces.toml", "mnist_attack.toml", "profiles.toml"} <= {
        p.name for p in folder.glob("*.toml")}
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "*.toml" in config["tool"]["setuptools"]["package-data"]["ganleak_cli.presets"]


def test_building_the_wheel_warns_of_no_undeclared_package(tmp_path):
    """setuptools warns (45 lines) when a folder of package data is not a declared package;
    the wheel carries the dataset registry and the presets."""
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir",
                           str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "is absent from the `packages` configuration" not in done.stdout + done.stderr
    wheel = next(tmp_path.glob("ganleak-*.whl"))
    with zipfile.ZipFile(wheel) as bundle:
        names = set(bundle.namelist())
    assert {f"ganleak_cli/registry/{n}.json" for n in ("mnist", "att", "cifar10")} <= names
    assert "ganleak_cli/presets/profiles.toml" in names


def test_an_editable_install_prints_no_warning(tmp_path):
    """`make install`'s `pip install -e` (here into a scratch virtual environment, never the
    one running the tests) says nothing: the layout is plain, so setuptools needs no import
    finder and has nothing to warn about."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                           "--no-deps", "-e", str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    said = [line for line in (done.stdout + done.stderr).splitlines()
            if line.strip() and "Location" not in line]   # pip's notes on the find-links folders
    assert not said, "\n".join(said[:20])
