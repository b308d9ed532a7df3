"""Calibration rows: what the face figures read for sample sets whose answer is known.

Every row is scored by the code that scores a reconstruction (``leakage``, ``identity_against``,
``sample_self_ssim``, ``face_verdict``), on sets built from the real data:

* ``heldout_faces``: the target person's held-out faces, each scored leave-one-out: SSIM to the
  *other* held-out faces, identity among every image but itself (the oracle was trained on
  these, so its rate is optimistic here);
* ``private_faces``: the person's training faces (the victims' records; the oracle never saw
  them), identity among every image but itself;
* ``noisy_faces``: those faces plus heavy Gaussian noise (σ = ``NOISE_SIGMA`` in [−1, 1] units);
* ``mean_face``: the pixel mean of the person's training faces, repeated (collapsed by design);
* ``other_faces``: one training face of every other person;
* ``uniform_noise``: uniform noise in [−1, 1].

A reconstruction deserves to be called recognisable when it reads like the first rows, not like
the last three. The sets are seeded with 0 (part of the instrument, not of a run).
"""

from __future__ import annotations

import hashlib
import json
import os

import numpy as np

from ganleak_cli.core.pixels import to_model_range
from ganleak_cli.data.registry import cache_dir
from ganleak_cli.metrics.evaluate import leakage
from ganleak_cli.metrics.identity import IDENTITY_MAX_REFS, identity_against, identity_figures
from ganleak_cli.metrics.oracle import oracle_version
from ganleak_cli.metrics.similarity import nearest_ssim
from ganleak_cli.metrics.verdict import FaceBars, face_verdict, sample_self_ssim

NOISE_SIGMA = 0.25
NOISE_SAMPLES = 32
CALIBRATION_VERSION = "v3"
ROW_KEYS = ("oracle_target_rate", "identity_match", "identity_flat_baseline",
            "identity_shuffled_baseline", "nn_ssim_heldout", "sample_self_ssim", "face_verdict",
            "face_ssim_bar")


def _noisy(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    faces = to_model_range(images)
    return np.clip(faces + rng.normal(0.0, NOISE_SIGMA, faces.shape), -1, 1).astype(np.float32)


def calibration_sets(data, target: int) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    """Name → (samples in [−1, 1], for real images: each one's index among the train+test
    images, which its identity search leaves out; else None)."""
    rng = np.random.default_rng(0)
    train = np.flatnonzero(np.asarray(data.y_train) == target)
    test = np.flatnonzero(np.asarray(data.y_test) == target)
    private = to_model_range(data.x_train[train])
    firsts = [np.flatnonzero(np.asarray(data.y_train) == c)[0]
              for c in range(data.num_classes) if c != target]
    shape = (NOISE_SAMPLES, *data.image_shape)
    return {"heldout_faces": (to_model_range(data.x_test[test]), len(data.y_train) + test),
            "private_faces": (private, train),
            "noisy_faces": (_noisy(data.x_train[train], rng), None),
            "mean_face": (np.repeat(private.mean(axis=0, keepdims=True), len(private), 0), None),
            "other_faces": (to_model_range(data.x_train[firsts]), np.asarray(firsts)),
            "uniform_noise": (rng.uniform(-1, 1, shape).astype(np.float32), None)}


def person_ssim(data, target: int) -> tuple[float, float]:
    """(own, other): the mean nearest SSIM to the person's held-out faces of the person's
    training faces (the victim's photographs) and of one training face of every other person —
    the ``private_faces`` and ``other_faces`` rows' SSIM, which the person's SSIM bar follows."""
    sets = calibration_sets(data, target)
    heldout = to_model_range(data.x_test[np.asarray(data.y_test) == target])

    def mean_nearest(name: str) -> float:
        samples = sets[name][0]
        if len(samples) == 0 or len(heldout) == 0:
            return float("nan")
        return float(nearest_ssim(samples, heldout)[0].mean())
    return mean_nearest("private_faces"), mean_nearest("other_faces")


def person_bars(data, target: int, bars: FaceBars = FaceBars()) -> FaceBars:
    """``bars`` with the SSIM bar of the person ``target`` (``FaceBars.for_person``); the fixed
    bar where the person has no training or no held-out faces."""
    own, other = person_ssim(data, target)
    if not np.isfinite(own):
        return bars
    return bars.for_person(own, other if np.isfinite(other) else 0.0)


def score_samples(samples: np.ndarray, data, oracle, target: int, heldout: np.ndarray,
                  own_index: np.ndarray | None = None, bars: FaceBars | None = None) -> dict:
    """The face figures of ``samples`` and their verdict (with the person's bars unless
    ``bars`` is given); identity is searched among every image of ``data`` except, for real
    images, the sample itself (``own_index``)."""
    bars = bars or person_bars(data, target)
    figures = leakage(samples, oracle, heldout, target)
    figures.update(_identity(samples, data, target, own_index))
    figures["sample_self_ssim"] = sample_self_ssim(samples)
    figures.update(face_verdict(figures, bars))
    return figures


def _identity(samples: np.ndarray, data, target: int, own_index) -> dict:
    """``identity_against`` all images, one sample at a time without itself when
    ``own_index`` is given (the figures are then means over the samples)."""
    if own_index is None:
        return identity_figures(samples, data, target)
    refs = np.concatenate([data.x_train, data.x_test])
    labels = np.concatenate([data.y_train, data.y_test])
    each = [identity_against(samples[i:i + 1], np.delete(refs, k, axis=0),
                             np.delete(labels, k), target) for i, k in enumerate(own_index)]
    return {key: float(np.mean([e[key] for e in each])) for key in each[0]}


def _leave_one_out_ssim(faces: np.ndarray) -> float:
    """Mean SSIM of each face to its nearest among the others."""
    scores = [nearest_ssim(faces[i:i + 1], np.delete(faces, i, axis=0))[0][0]
              for i in range(len(faces))]
    return float(np.mean(scores))


def calibration_rows(data, oracle, target: int, bars: FaceBars | None = None) -> dict:
    """Name → the figures of ``ROW_KEYS`` (and the failed checks) for each calibration set,
    judged with the person's bars unless ``bars`` is given."""
    bars = bars or person_bars(data, target)
    heldout = data.x_test[np.asarray(data.y_test) == target]
    rows = {}
    for name, (samples, own_index) in calibration_sets(data, target).items():
        figures = score_samples(samples, data, oracle, target, heldout, own_index, bars)
        if name == "heldout_faces":
            figures["nn_ssim_heldout"] = _leave_one_out_ssim(heldout)
            figures.update(face_verdict(figures, bars))
        rows[name] = {k: figures[k] for k in (*ROW_KEYS, "face_verdict_failed")}
    return rows


def _cache_file(data, target: int):
    digest = hashlib.sha256()
    for part in (data.x_train, data.y_train, data.x_test, data.y_test):
        digest.update(np.ascontiguousarray(part).tobytes())
    version = f"{CALIBRATION_VERSION}-{oracle_version(len(data.y_test))}"
    key = f"{data.name}-{version}-t{target}-{digest.hexdigest()[:16]}.json"
    return cache_dir() / "calibration" / key


def calibration_for(data, oracle, target: int) -> dict | None:
    """``{"target_class": …, "rows": [{"set": name, figures…}, …]}`` from ``calibration_rows``
    (in its order) for a dataset that gets identity figures (faces, small folders), cached by
    the data's digest and the target (None for larger datasets such as MNIST)."""
    if len(data.y_train) + len(data.y_test) > IDENTITY_MAX_REFS:
        return None
    path = _cache_file(data, target)
    if path.is_file():
        return json.loads(path.read_text())
    rows = [{"set": name, **figures}
            for name, figures in calibration_rows(data, oracle, target).items()]
    text = json.dumps({"target_class": target, "rows": rows}, indent=2, sort_keys=True) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")  # parallel runs may write it at once
    tmp.write_text(text)
    tmp.replace(path)
    return json.loads(text)   # the same values a cache hit gives
