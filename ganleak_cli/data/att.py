"""AT&T (ORL) faces: 40 people × 10 PGM images (92×112, 8-bit), every file sha256-checked.

Layout ``att_faces/sN/M.pgm`` (N = 1..40, M = 1..10), found in ``--data-dir`` (flat ``sN/…`` or
under ``att_faces/``) or in the cache (downloaded as the distribution's zip archive). Class
``N − 1`` is person ``sN``. The split is fixed: images 8, 9 and 10 of each person are the
held-out ("test") side, 3 × 40 = 120 images that only the oracle and the held-out metrics see;
images 1–7 are the 280 training records shared out among the participants.
"""

from __future__ import annotations

import numpy as np

from ganleak_cli.data.images import read_image
from ganleak_cli.data.mnist import Dataset
from ganleak_cli.data.registry import locate, registry_entry
from ganleak_cli.data.source import DatasetSource

NAME = "att"
PEOPLE = 40
IMAGES_PER_PERSON = 10
HELDOUT_IMAGES = (8, 9, 10)
DEFAULT_SIZE = 64


def att_files() -> list[tuple[str, int, int]]:
    """(registry key, class, image number) of every face, person by person."""
    keys = registry_entry(NAME)["files"]
    out = [(f"s{p}/{m}", p - 1, m) for p in range(1, PEOPLE + 1)
           for m in range(1, IMAGES_PER_PERSON + 1)]
    assert all(key in keys for key, _, _ in out), "att registry entry lacks a face"
    return out


def load_att(data_dir=None, image_size: int | None = None) -> Dataset:
    """Load the 400 faces as uint8 ``image_size``² × 1 (default 64), each file verified by sha256;
    images 8–10 of each person form the test split (see the module docstring)."""
    size = image_size or DEFAULT_SIZE
    train, test = ([], []), ([], [])
    for key, label, number in att_files():
        pixels = read_image(locate(NAME, key, data_dir), size, "grey")
        side = test if number in HELDOUT_IMAGES else train
        side[0].append(pixels)
        side[1].append(label)
    return Dataset(name=NAME, x_train=np.stack(train[0]), y_train=np.array(train[1], np.int64),
                   x_test=np.stack(test[0]), y_test=np.array(test[1], np.int64),
                   num_classes=PEOPLE)


class Att(DatasetSource):
    """The AT&T faces. The default target is person s8 (class 7): s1 (class 0) is the
    SSIM-nearest face of any featureless image and would make ``identity_match`` meaningless
    (``metrics.identity``). The generator and the shared model alternate in small steps (one
    mini-batch a turn, so more rounds) with a smoothness prior and a larger generator step, and
    Shokri's γ and τ follow the size of one local change of the larger face CNN; docs/faces.md
    and docs/privacy.md give the measurements behind these defaults."""

    name = NAME
    target_class = 7
    defaults = {"rounds": 1000, "eval_every": 100, "local_steps": 1, "gen_steps": 1,
                "fakes_per_turn": 64, "gen_tv": 4.0, "gen_lr": 4e-4,
                "dp_gamma": 0.002, "dp_tau": 0.0005}

    def load(self, data_dir=None, image_size=None, color="grey") -> Dataset:
        return load_att(data_dir, image_size)
