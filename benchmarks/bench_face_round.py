"""Where a face round's time goes, and what share of the machine's arithmetic it uses.

One AT&T round at the default 64×64 (1 victim + the active GAN insider, att's defaults: one
mini-batch a turn, one generator step, 64 fakes), split into its parts, each timed over
``--repeats`` calls after a warm-up (tracing):

* victim turn: download, ``local_steps`` SGD steps on the face CNN, upload;
* generator steps: ``gen_steps`` Adam steps of the generator through the frozen shared model;
* adversary training: its ``local_steps`` batches of records plus the fakes, labelled as the
  artificial class (sampling the fakes included), and the upload;
* evaluation: one evaluation (model accuracy, oracle, SSIM searches, identity, verdict).

FLOPs are counted from the layers (a convolution: 2·H_out·W_out·k²·C_in·C_out, a transposed one
2·H_in·W_in·k²·C_in·C_out; a dense layer: 2·in·out; a training step ≈ 3× the forward pass, a
generator step ≈ 3× the generator's forward plus 2× the classifier's: forward and the backward
pass to its input). The machine's practical peak is a float32 matmul (2048², 2 FLOPs per
multiply-add) measured in the same run. Then the same victim turn and generator steps are timed
compiled with XLA (``jit_compile=True``) and checked for determinism (two calls from the same
state must give the same weights), under op determinism and, where XLA refuses it, without.

    GANLEAK_DATA_DIR=../shared/datasets python benchmarks/bench_face_round.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402

from ganleak_cli.core.determinism import set_determinism  # noqa: E402
from ganleak_cli.runfolder.artifacts import RunFolder  # noqa: E402
from ganleak_cli.simulation.config import SimConfig  # noqa: E402
from ganleak_cli.simulation.runner import build_world, evaluate  # noqa: E402


def forward_flops(model: keras.Model) -> int:
    """FLOPs of one forward pass of one image through ``model``'s conv and dense layers."""
    total = 0
    for layer in model.layers:
        if isinstance(layer, layers.Conv2DTranspose):   # kernel (k, k, out, in), per input pixel
            k_h, k_w, c_out, c_in = layer.kernel.shape
            _, h, w, _ = layer.input.shape
            total += 2 * h * w * k_h * k_w * c_in * c_out
        elif isinstance(layer, layers.Conv2D):          # kernel (k, k, in, out), per output pixel
            k_h, k_w, c_in, c_out = layer.kernel.shape
            _, h, w, _ = layer.output.shape
            total += 2 * h * w * k_h * k_w * c_in * c_out
        elif isinstance(layer, layers.Dense):
            total += 2 * layer.kernel.shape[0] * layer.kernel.shape[1]
    return total


def timed(fn, repeats: int) -> float:
    """Median seconds of ``fn()`` over ``repeats`` calls, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def matmul_gflops(size: int = 2048, repeats: int = 5) -> float:
    """Achieved GFLOP/s of a float32 ``size``² matmul (the practical peak)."""
    a = tf.random.stateless_normal((size, size), seed=(1, 2))
    fn = tf.function(lambda: tf.reduce_sum(tf.matmul(a, a)))
    return 2 * size ** 3 / timed(lambda: fn().numpy(), repeats) / 1e9


def face_config() -> SimConfig:
    return SimConfig.from_options(dataset="att", image_size=64,
                                  data_dir=os.environ.get("GANLEAK_DATA_DIR"),
                                  out="/nonexistent-unused")


def part_times(world, repeats: int) -> dict:
    victim, adversary = world.participants[0], world.participants[-1]
    server, rules = world.server, world.rules

    def adversary_training():
        x, y = adversary.local_data(rules)
        adversary.train_and_upload(x, y, rules)

    folder = RunFolder(tempfile.mkdtemp(prefix="bench-face-"))
    folder.create()
    return {"victim turn": timed(lambda: server.apply(victim.turn(server, rules)), repeats),
            "generator steps": timed(lambda: adversary.generator.train(world.trainer.model),
                                     repeats),
            "adversary training": timed(adversary_training, repeats),
            "evaluation": timed(lambda: evaluate(world, 1, folder), max(1, repeats // 2))}


def part_flops(world, attack) -> dict:
    """FLOPs of each part (``attack``: the run's attack settings, the generator's steps)."""
    cnn = forward_flops(world.trainer.model)
    gen = forward_flops(world.adversary.generator.model)
    batches = world.rules.local_steps * world.rules.batch_size
    return {"victim turn": 3 * cnn * batches,
            "generator steps": attack.gen_steps * attack.gen_batch * (3 * gen + 2 * cnn),
            "adversary training": 3 * cnn * (batches + attack.fakes_per_turn)
            + gen * attack.fakes_per_turn}


def xla_rows(world, repeats: int) -> list[str]:
    """The victim's training and the generator steps compiled with XLA, under op determinism
    (as runs use it) and, where XLA refuses that, without: time and determinism."""
    rows = []
    for deterministic_ops in (True, False):
        set_determinism(deterministic_ops)
        label = "determinism on" if deterministic_ops else "determinism off"
        rows += [f"{label}: {row}" for row in _xla_pair(world, repeats)]
        if not any("XLA failed" in row for row in rows):
            break
    set_determinism(True)
    return rows


def _xla_pair(world, repeats: int) -> list[str]:
    trainer, generator = world.trainer, world.adversary.generator
    victim = world.participants[0]
    x, y = victim.local_data(world.rules)
    xb = tf.convert_to_tensor(x.reshape(-1, world.rules.batch_size, *x.shape[1:]))
    yb = tf.convert_to_tensor(y.reshape(-1, world.rules.batch_size))
    train_xla = tf.function(trainer._train_batches, jit_compile=True)
    steps_xla = tf.function(generator._train_steps, jit_compile=True)
    steps = tf.constant(10)
    return [_xla_row("victim training", lambda: trainer._train(xb, yb),
                     lambda: train_xla(xb, yb), trainer.model.weights, repeats),
            _xla_row("10 generator steps", lambda: generator._step(trainer.model, steps),
                     lambda: steps_xla(trainer.model, steps),
                     [*generator.model.weights, *generator.optimizer.variables,
                      generator.seed.state], repeats)]


def _xla_row(name, run_plain, run_xla, weights, repeats) -> str:
    """Times of both; then two XLA calls from the same state (``weights``: every variable the
    call reads and changes, noise-seed state included) must end in the same state."""
    start = [w.numpy().copy() for w in weights]
    try:
        t_plain, t_xla = timed(run_plain, repeats), timed(run_xla, repeats)
    except Exception as exc:  # XLA may refuse an op under op determinism
        first = str(exc).strip().splitlines()[0][:110]
        return f"{name:20s} XLA failed: {type(exc).__name__}: {first}"
    same = []
    for _ in range(2):
        for w, v in zip(weights, start):
            w.assign(v)
        run_xla()
        same.append([w.numpy().copy() for w in weights])
    deterministic = all(np.array_equal(a, b) for a, b in zip(*same))
    return (f"{name:20s} plain {t_plain:7.3f} s   XLA {t_xla:7.3f} s   "
            f"speed-up {t_plain / t_xla:5.2f}x   XLA deterministic: {deterministic}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    peak = matmul_gflops()
    cfg = face_config()
    world = build_world(cfg)
    times, flops = part_times(world, args.repeats), part_flops(world, cfg.attack)
    total = sum(times.values())
    print(f"practical peak (float32 matmul 2048²): {peak:8.1f} GFLOP/s")
    print(f"{'part':22s} {'seconds':>8s} {'share':>6s} {'GFLOP':>8s} {'GFLOP/s':>8s} "
          f"{'of peak':>7s}")
    for part, seconds in times.items():
        count = flops.get(part)
        rate = count / seconds / 1e9 if count else float("nan")
        print(f"{part:22s} {seconds:8.3f} {seconds / total:6.1%} "
              f"{(count or float('nan')) / 1e9:8.1f} {rate:8.1f} {rate / peak:7.1%}")
    print(f"{'one round':22s} {total:8.3f}")
    for row in xla_rows(world, args.repeats):
        print(row)


if __name__ == "__main__":
    main()
