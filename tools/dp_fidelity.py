"""What one Shokri release keeps of a real update: the paper's CNN, real data.

    python tools/dp_fidelity.py --dataset att --setting 0.01:0.005 --setting 0.002:0.0005

Trains the dataset's CNN centrally with SGD (``--lr``, batches of 64), and at a few steps takes
``--batches`` more mini-batches' changes Δw = −lr·∇ (a participant's one-batch turn), releases
each with Shokri's mechanism at ε/c (``--eps-per-param``) and θu for each ``--setting γ:τ``,
and prints the mean cos(release, Δw) and |release| / |Δw|
(``ganleak_cli.privacy.fidelity.probe_fidelity``). A cosine near 0 means the release is noise:
the shared model learns through it only by averaging many turns. ``GANLEAK_DATA_DIR`` as for
the tests.
"""

from __future__ import annotations

import click

from ganleak_cli.core.pixels import to_model_range
from ganleak_cli.data import load_dataset
from ganleak_cli.privacy.fidelity import probe_fidelity


def _settings(ctx, param, values) -> list[tuple[float, float]]:
    """Each ``γ:τ`` as two positive floats (a clear error, exit 2, otherwise)."""
    pairs = []
    for text in values:
        try:
            gamma, tau = (float(v) for v in text.split(":"))
        except ValueError:
            raise click.BadParameter(f"{text!r} is not γ:τ (two numbers, e.g. 0.002:0.0005)")
        if gamma <= 0 or tau < 0:
            raise click.BadParameter(f"{text!r}: γ must be > 0 and τ ≥ 0")
        pairs.append((gamma, tau))
    return pairs


@click.command()
@click.option("--dataset", default="att", show_default=True)
@click.option("--image-size", type=int, default=None)
@click.option("--lr", type=float, default=0.2, show_default=True)
@click.option("--theta-u", type=float, default=0.1, show_default=True)
@click.option("--eps-per-param", type=float, default=100.0, show_default=True)
@click.option("--setting", "settings", multiple=True, default=("0.01:0.005", "0.002:0.0005"),
              show_default=True, callback=_settings, help="γ:τ, repeatable")
@click.option("--steps", default="0,10,20,40", show_default=True, help="training steps to probe")
@click.option("--batches", type=int, default=8, show_default=True,
              help="mini-batches released at each probed step (their mean is printed)")
@click.option("--seed", type=int, default=0, show_default=True)
def main(dataset, image_size, lr, theta_u, eps_per_param, settings, steps, batches, seed):
    """Print the fidelity of one release at each probed step and setting."""
    data = load_dataset(dataset, image_size=image_size)
    rows = probe_fidelity(to_model_range(data.x_train), data.y_train, data.num_classes + 1,
                          settings, lr=lr, theta_u=theta_u,
                          eps_per_param=eps_per_param,
                          steps=tuple(int(s) for s in steps.split(",")), batches=batches,
                          seed=seed)
    for r in rows:
        print(f"step {r.step:3d} loss {r.loss:.2f} gamma {r.gamma:g} tau {r.tau:g}: "
              f"cos {r.cosine:.3f}  |release|/|delta| {r.norm_ratio:.2f}  "
              f"({r.released} of {r.size} values)")


if __name__ == "__main__":
    main()
