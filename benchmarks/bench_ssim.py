"""The SSIM search against tf.image.ssim, measured in one run on the real data.

Each evaluation of a run scores its samples against the held-out images of the target class
(MNIST: 64 samples × 1010 threes at 28×28; faces: 64 samples × 120 faces at 64×64). The
benchmark times ``nearest_ssim`` and the same search done with ``tf.image.ssim`` (broadcast
pairs, in the same chunks), alternating the two, and prints the median of each, their ratio,
and the largest difference of the scores found.

    GANLEAK_DATA_DIR=../shared/datasets python benchmarks/bench_ssim.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from ganleak_cli.core.pixels import to_unit  # noqa: E402
from ganleak_cli.data import load_dataset  # noqa: E402
from ganleak_cli.metrics.similarity import nearest_ssim, pair_chunk  # noqa: E402


def tf_nearest_ssim(samples: np.ndarray, refs: np.ndarray) -> np.ndarray:
    """The best tf.image.ssim of each sample to any reference (chunked as nearest_ssim is)."""
    chunk = pair_chunk(16, len(refs), refs.shape[1:])
    units, ref_units = to_unit(samples), tf.constant(to_unit(refs))
    best = [tf.image.ssim(tf.constant(units[i:i + chunk, None]), ref_units[None],
                          max_val=1.0).numpy().max(axis=1)
            for i in range(0, len(units), chunk)]
    return np.concatenate(best)


def case(name: str, samples: np.ndarray, refs: np.ndarray, repeats: int) -> None:
    """Time both searches ``repeats`` times, alternating, and print one line."""
    times = {"ours": [], "tf": []}
    for _ in range(repeats):
        start = time.perf_counter()
        ours, _ = nearest_ssim(samples, refs)
        times["ours"].append(time.perf_counter() - start)
        start = time.perf_counter()
        theirs = tf_nearest_ssim(samples, refs)
        times["tf"].append(time.perf_counter() - start)
    ours_s, tf_s = statistics.median(times["ours"]), statistics.median(times["tf"])
    print(f"{name}: nearest_ssim {ours_s:.2f} s, tf.image.ssim {tf_s:.2f} s, "
          f"ratio {tf_s / ours_s:.1f}x faster; largest score difference "
          f"{np.abs(ours - theirs).max():.1e}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    data_dir = os.environ.get("GANLEAK_DATA_DIR")
    mnist = load_dataset("mnist", data_dir)
    threes = mnist.x_test[mnist.y_test == 3]
    case("MNIST 64 × 1010 threes (28×28)", mnist.x_train[mnist.y_train == 3][:64], threes,
         args.repeats)
    faces = load_dataset("att", data_dir)
    rng = np.random.default_rng(0)
    case("faces 64 × 120 held-out (64×64)", faces.x_train[rng.choice(len(faces.x_train), 64)],
         faces.x_test, args.repeats)


if __name__ == "__main__":
    main()
