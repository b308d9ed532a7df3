"""Datasets (registry, local lookup, download with sha256 checks) and the partition of records."""

from ganleak_cli.data.att import load_att
from ganleak_cli.data.cifar10 import load_cifar10
from ganleak_cli.data.folder import class_folders, is_folder_dataset, load_folder
from ganleak_cli.data.mnist import Dataset, load_mnist
from ganleak_cli.data.registry import registry_entry

__all__ = ["ATTACK_DEFAULTS", "DATASETS", "Dataset", "class_defaults", "dataset_num_classes",
           "load_dataset", "load_mnist"]

DATASETS = ("mnist", "att", "cifar10")  # the registered datasets load_dataset reads
MNIST_SIZE = 28
DEFAULT_TARGET = {"att": 7}  # registered datasets whose default target is not class 0
# Settings whose default is the dataset's own (why, measured: docs/faces.md and docs/privacy.md):
# on AT&T the generator and the shared model alternate in small steps (one mini-batch a turn, so
# more rounds) with a smoothness prior and a larger generator step; Shokri's clip bound γ and
# threshold τ follow the size of one local change of the larger face CNN. Every other dataset
# keeps the declared defaults.
ATTACK_DEFAULTS = {"att": {"rounds": 1000, "eval_every": 100, "local_steps": 1, "gen_steps": 1,
                           "fakes_per_turn": 64, "gen_tv": 4.0, "gen_lr": 4e-4,
                           "dp_gamma": 0.002, "dp_tau": 0.0005}}


def dataset_num_classes(name: str) -> int:
    """Classes of a dataset, without loading it (``folder:PATH`` counts its sub-folders)."""
    if is_folder_dataset(name):
        return len(class_folders(name))
    if name not in DATASETS:
        raise ValueError(f"dataset: unknown dataset {name!r}; known: {', '.join(DATASETS)}, "
                         "folder:PATH")
    return int(registry_entry(name)["num_classes"])


def class_defaults(name: str) -> dict:
    """Default victim classes, adversary classes and target class of a dataset.

    MNIST keeps the paper's 0–4 vs 5–9 with target 3; every other dataset splits its classes
    in half (AT&T: persons 0–19 are the victims', 20–39 the adversary's) with target 0, except
    AT&T: target 7 (person s8), since s1 (class 0) is the SSIM-nearest face of any featureless
    image and would make ``identity_match`` meaningless (``metrics.identity``)."""
    if name == "mnist":
        return {"victim_classes": (0, 1, 2, 3, 4), "adversary_classes": (5, 6, 7, 8, 9),
                "target_class": 3}
    n = dataset_num_classes(name)
    return {"victim_classes": tuple(range(n // 2)), "adversary_classes": tuple(range(n // 2, n)),
            "target_class": DEFAULT_TARGET.get(name, 0)}


def check_image_size(name: str, image_size: int | None) -> None:
    """MNIST is only used at its native 28×28 (its registry, oracle and figures assume it)."""
    if name == "mnist" and image_size not in (None, MNIST_SIZE):
        raise ValueError(f"image_size: MNIST images are {MNIST_SIZE}×{MNIST_SIZE}; "
                         f"--image-size {image_size} applies to att and folder datasets only")


def load_dataset(name: str, data_dir: str | None = None, image_size: int | None = None,
                 color: str = "grey") -> Dataset:
    """Load a dataset by registry name (or ``folder:PATH``) from ``data_dir`` or the download
    cache; ``image_size`` (att, folder: None is 64; cifar10: None is 32) and ``color`` (folder,
    cifar10) shape the images."""
    check_image_size(name, image_size)
    if name == "mnist":
        return load_mnist(data_dir)
    if name == "att":
        return load_att(data_dir, image_size)
    if name == "cifar10":
        return load_cifar10(data_dir, image_size, color)
    if is_folder_dataset(name):
        return load_folder(name, image_size, color)
    raise ValueError(f"dataset: unknown dataset {name!r}; known: {', '.join(DATASETS)}, "
                     "folder:PATH")
