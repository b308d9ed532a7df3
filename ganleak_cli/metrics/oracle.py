"""The oracle: an independent classifier trained only on data no participant holds.

For MNIST that is the official test split; for AT&T faces the 120 held-out faces (images 8–10 of
each person). A held-out set under ``SMALL_SET`` images is augmented (seeded flips and shifts)
to ``AUGMENTED_SIZE`` training images and trained for up to ``AUGMENTED_EPOCHS`` epochs, stopping
at the first that names every one of its original images right: a few epochs leave a small-set
oracle unable to name the faces it never saw.

It is a fixed measuring instrument: trained once with its own seed (``ORACLE_SEED``) under
TensorFlow op determinism (so a fresh cache trains the same weights again) and cached by the
sha256 of its training data, so runs with any ``--seed`` are scored by the same oracle. The
version names (``ORACLE_VERSION``, ``AUGMENTED_VERSION``) change whenever the training changes,
so that an oracle trained otherwise is never reused.

A small-set oracle is an ensemble: ``ENSEMBLE`` models trained alike, seeded ``ORACLE_SEED`` + k,
their probabilities averaged, because one such model judges generated faces by its own seed as
much as by the faces (the measurements are in docs/faces.md). Large sets (MNIST's 10 000 test
images) keep one model.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import keras
import numpy as np
from filelock import FileLock
from keras import layers

from ganleak_cli.core.determinism import deterministic_ops
from ganleak_cli.core.pixels import to_unit
from ganleak_cli.data.registry import cache_dir

ORACLE_SEED = 1234
ORACLE_VERSION = "v2"
SMALL_SET = 1000          # fewer training images (AT&T: 120 held-out faces): augment them
AUGMENTED_SIZE = 4000     # … to this many flipped and shifted copies
AUGMENTED_EPOCHS = 20     # … and trained up to this many epochs: until it names every one of
                          # the original images right (but at least ``epochs``)
AUGMENTED_VERSION = "v3-aug"
ENSEMBLE = 5              # … and the oracle is this many such models, seeded ORACLE_SEED + k,
                          # their probabilities averaged
MAX_SHIFT = 0.08          # largest shift, as a fraction of the side
DOWNSAMPLE_FROM = 48      # images at least this large are average-pooled ×2 first


def build_oracle(image_shape, num_classes: int) -> keras.Model:
    """A small ReLU CNN with dropout, unrelated to the participants' architecture."""
    pool = [layers.AveragePooling2D(2)] if image_shape[0] >= DOWNSAMPLE_FROM else []
    return keras.Sequential([
        keras.Input(shape=tuple(image_shape)),
        *pool,
        layers.Conv2D(32, 3, activation="relu"),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Dropout(0.25),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(num_classes),
    ], name="oracle")


def training_version(count: int) -> str:
    """The version of one model trained on ``count`` images (small sets are augmented): the
    cached files' names."""
    return AUGMENTED_VERSION if count < SMALL_SET else ORACLE_VERSION


def oracle_version(count: int) -> str:
    """The version of the oracle for ``count`` images: its models' training and, for an
    ensemble, its size (e.g. v3-aug-ens5: five v3-aug models), so that a cached calibration
    made with another oracle is never reused."""
    size = members(count)
    return training_version(count) + (f"-ens{size}" if size > 1 else "")


def publish(tmp: Path, path: Path) -> bool:
    """Move the freshly written ``tmp`` to ``path`` unless ``path`` exists (first writer wins:
    an oracle other runs already score with is never replaced, so that runs sharing a cache
    share one oracle whoever trained it, and with how many threads); whether ``tmp`` became it."""
    try:
        os.link(tmp, path)          # atomic, and fails when path exists
        return True
    except FileExistsError:
        return False
    except OSError:                 # a file system without hard links
        if path.exists():
            return False
        tmp.replace(path)
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _cache_path(name: str, images: np.ndarray, labels: np.ndarray,
                seed: int = ORACLE_SEED) -> Path:
    digest = hashlib.sha256(images.tobytes() + labels.astype(np.int64).tobytes()).hexdigest()
    version = training_version(len(images))
    other = "" if seed == ORACLE_SEED else f"-seed{seed}"   # the runs' own oracle keeps its name
    return cache_dir() / "oracles" / f"{name}-{version}{other}-{digest[:16]}.weights.h5"


def augment(images: np.ndarray, labels: np.ndarray, size: int | None = None,
            seed: int = ORACLE_SEED):
    """``size`` (default ``AUGMENTED_SIZE``) copies of small-set images, each randomly mirrored
    left–right and shifted by up to ``MAX_SHIFT`` of the side (edges repeated), seeded by
    ``seed``."""
    size = AUGMENTED_SIZE if size is None else size
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(images), size)
    limit = max(1, int(MAX_SHIFT * images.shape[1]))
    padded = np.pad(images, ((0, 0), (limit, limit), (limit, limit), (0, 0)), mode="edge")
    out = np.empty((size, *images.shape[1:]), images.dtype)
    h, w = images.shape[1:3]
    for i, k in enumerate(picks):
        dy, dx = rng.integers(0, 2 * limit + 1, 2)
        crop = padded[k, dy:dy + h, dx:dx + w]
        out[i] = crop[:, ::-1] if rng.random() < 0.5 else crop
    return out, labels[picks]


def train_oracle(images: np.ndarray, labels: np.ndarray, num_classes: int,
                 epochs: int, seed: int = ORACLE_SEED) -> keras.Model:
    """A new oracle, seeded initial weights, augmentation and training (this reseeds the global
    RNGs: build the oracle before seeding a run)."""
    keras.utils.set_random_seed(seed)
    model = build_oracle(images.shape[1:], num_classes)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    callbacks = []
    if len(images) < SMALL_SET:
        callbacks = [FitsItsImages(to_unit(images), labels, min_epochs=epochs)]
        images, labels = augment(images, labels, seed=seed)
        epochs = AUGMENTED_EPOCHS
    model.fit(to_unit(images), labels, batch_size=128, epochs=epochs, verbose=0,
              callbacks=callbacks)
    return model


def members(count: int) -> int:
    """How many models the oracle for ``count`` training images averages: ``ENSEMBLE`` for a
    small (augmented) set, else one."""
    return ENSEMBLE if count < SMALL_SET else 1


def member_seeds(count: int) -> list[int]:
    """The members' seeds: ``ORACLE_SEED``, ``ORACLE_SEED`` + 1, …"""
    return [ORACLE_SEED + k for k in range(count)]


def _member(name: str, images: np.ndarray, labels: np.ndarray, num_classes: int, epochs: int,
            seed: int) -> keras.Model:
    """The cached member of this seed, or a newly trained (and cached) one."""
    path = _cache_path(name, images, labels, seed)
    if path.is_file():
        return _cached(path, images.shape[1:], num_classes)
    path.parent.mkdir(parents=True, exist_ok=True)
    # one process trains it while the others that need it (sweep jobs, test workers) wait
    with FileLock(_lock_path(path)):
        if path.is_file():
            return _cached(path, images.shape[1:], num_classes)
        return _train_and_cache(path, images, labels, num_classes, epochs, seed)


def _lock_path(path: Path) -> Path:
    """The lock a member's training holds, beside the cache's oracles, not among them."""
    locks = path.parent.parent / "locks"
    locks.mkdir(exist_ok=True)
    return locks / f"{path.name}.lock"


def _cached(path: Path, image_shape, num_classes: int) -> keras.Model:
    """The member cached at ``path``."""
    model = build_oracle(image_shape, num_classes)
    model.load_weights(path)
    return model


def _train_and_cache(path: Path, images: np.ndarray, labels: np.ndarray, num_classes: int,
                     epochs: int, seed: int) -> keras.Model:
    """A member trained under op determinism and cached at ``path``."""
    with deterministic_ops():
        model = train_oracle(images, labels, num_classes, epochs, seed)
    # a name of this process's own: a process whose lock is not this one's (another machine
    # sharing the cache) may train it at once
    tmp = path.with_name(f"{path.name[:-len('.weights.h5')]}.tmp{os.getpid()}.weights.h5")
    model.save_weights(tmp)
    if not publish(tmp, path):   # another process cached one first: use that one, as all do
        model.load_weights(path)
    return model


def mean_probabilities(each: list[np.ndarray]) -> np.ndarray:
    """The oracle's probabilities from its members' (one member's are returned as they are)."""
    return each[0] if len(each) == 1 else np.mean(each, axis=0)


class FitsItsImages(keras.callbacks.Callback):
    """Stops training, after ``min_epochs``, at the first epoch whose model names every one of
    the original (un-augmented) training images right."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, min_epochs: int):
        super().__init__()
        self.images, self.labels, self.min_epochs = images, labels, min_epochs
        self.epochs_run = 0

    def on_epoch_end(self, epoch, logs=None):
        self.epochs_run = epoch + 1
        if self.epochs_run < self.min_epochs:
            return
        named = self.model.predict(self.images, batch_size=512, verbose=0).argmax(axis=1)
        if np.array_equal(named, self.labels):
            self.model.stop_training = True


class Oracle:
    """Classifies images (uint8 or [−1, 1] floats) into the dataset's real classes: one model,
    or for small held-out sets the mean of ``members(count)`` models' probabilities."""

    def __init__(self, models: list[keras.Model]):
        self.members = list(models)
        self.model = self.members[0]   # the runs' first oracle: its features give fid_oracle
        self._features = None

    @staticmethod
    def is_cached(name: str, images: np.ndarray, labels: np.ndarray) -> bool:
        """Whether the oracle for this training data (every member) is already in the cache."""
        return all(_cache_path(name, images, labels, seed).is_file()
                   for seed in member_seeds(members(len(images))))

    @classmethod
    def for_data(cls, name: str, images: np.ndarray, labels: np.ndarray, num_classes: int,
                 epochs: int = 4, count: int | None = None) -> "Oracle":
        """Load the cached oracle for this training data, or train and cache it (each member;
        ``count``: how many members, ``members`` of the set's size unless given)."""
        seeds = member_seeds(count or members(len(images)))
        return cls([_member(name, images, labels, num_classes, epochs, s) for s in seeds])

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities, N × num_classes: the members' mean."""
        return mean_probabilities(self.member_probabilities(images))

    def member_probabilities(self, images: np.ndarray) -> list[np.ndarray]:
        """Each member's class probabilities, N × num_classes (the first: ``ORACLE_SEED``'s)."""
        pixels = to_unit(images)
        return [keras.ops.convert_to_numpy(keras.ops.softmax(
            member.predict(pixels, batch_size=512, verbose=0))) for member in self.members]

    def features(self, images: np.ndarray) -> np.ndarray:
        """Penultimate-layer features, N × 128: the Dense(128) ReLU layer's output (before
        dropout), from a feature model that shares the oracle's weights (built once)."""
        if self._features is None:
            hidden = [layer for layer in self.model.layers if isinstance(layer, layers.Dense)][-2]
            self._features = keras.Model(self.model.inputs, hidden.output, name="oracle_features")
        return np.asarray(self._features.predict(to_unit(images), batch_size=512, verbose=0))

    def target_rate(self, images: np.ndarray, target: int) -> tuple[float, float]:
        """Fraction of images classified as ``target``, and the mean probability of ``target``."""
        probs = self.probabilities(images)
        return float(np.mean(probs.argmax(axis=1) == target)), float(np.mean(probs[:, target]))
