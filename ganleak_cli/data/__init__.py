"""Datasets: the ``ganleak.datasets`` registry, loading by name, and the partition of records.

Each dataset is a ``DatasetSource`` (ganleak_cli.data.source) registered in the package metadata
as an outside package's would be; ``folder:PATH`` is made from its name. Everything here asks
the source, so no dataset is named outside its own module.
"""

from ganleak_cli.core.components import ComponentError, Registry
from ganleak_cli.data.folder import FolderSource, is_folder_dataset
from ganleak_cli.data.mnist import Dataset, load_mnist
from ganleak_cli.data.source import DatasetSource

__all__ = ["DATASETS", "Dataset", "DatasetSource", "class_defaults", "dataset_names",
           "dataset_num_classes", "dataset_source", "load_dataset", "load_mnist",
           "own_defaults"]

DATASETS = Registry("ganleak.datasets", "dataset")


def dataset_names() -> tuple[str, ...]:
    """The registered datasets' names, sorted (``folder:PATH`` is not among them)."""
    return DATASETS.names()


def dataset_source(name: str) -> DatasetSource:
    """The source of a registered dataset or of ``folder:PATH``; ValueError ('dataset: …')
    naming the registered ones for any other name."""
    if is_folder_dataset(name):
        return FolderSource(name)
    try:
        return DATASETS.get(name)()
    except ComponentError:
        raise ValueError(f"dataset: unknown dataset {name!r}; known: "
                         f"{', '.join(dataset_names())}, folder:PATH") from None


def dataset_num_classes(name: str) -> int:
    """Classes of a dataset, without loading it (``folder:PATH`` counts its sub-folders)."""
    return dataset_source(name).num_classes()


def class_defaults(name: str) -> dict:
    """Default victim classes, adversary classes and target class of a dataset."""
    return dataset_source(name).class_defaults()


def own_defaults(name: str) -> dict:
    """The settings whose default is the dataset's own (e.g. AT&T's rounds and generator step)."""
    return dict(dataset_source(name).defaults)


def check_image_size(name: str, image_size: int | None) -> None:
    """ValueError ('image_size: …') where the dataset cannot be read at ``image_size``."""
    dataset_source(name).check_image_size(image_size)


def load_dataset(name: str, data_dir: str | None = None, image_size: int | None = None,
                 color: str = "grey") -> Dataset:
    """Load a dataset by registry name (or ``folder:PATH``) from ``data_dir`` or the download
    cache; ``image_size`` (att, folder: None is 64; cifar10: None is 32) and ``color`` (folder,
    cifar10) shape the images."""
    source = dataset_source(name)
    source.check_image_size(image_size)
    return source.load(data_dir, image_size, color)
