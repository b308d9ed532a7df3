"""A dataset component: what ganleak needs of a dataset it loads by name.

A dataset is one class registered in the ``ganleak.datasets`` entry-point group, as ganleak's
own (mnist, att, cifar10) are: its name, its class count without loading it, its default
victim, adversary and target classes, the settings whose default is its own, and its loader.
``folder:PATH`` (your own images) is the one dataset made from its name instead.
"""

from __future__ import annotations

from ganleak_cli.data.registry import registry_entry


class DatasetSource:
    """A dataset ganleak loads by name; subclasses set ``name`` and implement ``load``."""

    name = ""
    target_class = 0      # the default class the insider aims at
    defaults: dict = {}   # settings whose default is this dataset's own (options' help lists them)

    def num_classes(self) -> int:
        """Classes of the dataset, without loading it (its registry entry's count)."""
        return int(registry_entry(self.name)["num_classes"])

    def class_defaults(self) -> dict:
        """Default victim, adversary and target classes: the first half of the classes are the
        victims', the second half the adversary's."""
        n = self.num_classes()
        return {"victim_classes": tuple(range(n // 2)),
                "adversary_classes": tuple(range(n // 2, n)), "target_class": self.target_class}

    def check_image_size(self, image_size: int | None) -> None:
        """ValueError ('image_size: …') where the dataset cannot be read at ``image_size``."""

    def load(self, data_dir: str | None, image_size: int | None, color: str):
        """The dataset as a ``Dataset`` (uint8 images, int labels, train and test splits)."""
        raise NotImplementedError
