"""Datasets (registry, local lookup, download with sha256 checks) and the partition of records."""

from ganleak_cli.data.mnist import Dataset, load_mnist

__all__ = ["Dataset", "load_dataset", "load_mnist"]

DATASETS = ("mnist",)


def load_dataset(name: str, data_dir: str | None = None) -> Dataset:
    """Load a dataset by registry name from ``data_dir`` or the download cache."""
    if name == "mnist":
        return load_mnist(data_dir)
    raise ValueError(f"dataset: unknown dataset {name!r}; known: {', '.join(DATASETS)}")
