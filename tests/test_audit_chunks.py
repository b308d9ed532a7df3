"""How the audit draws and searches its samples: chunks of fixed seeds give the same samples in
one process or in several; the event search reaches into the tails, where a large privacy loss
is; a mechanism may search its event on a smaller share of the runs and bound it on the rest."""

import subprocess
import sys
from functools import partial

import numpy as np

from ganleak_cli.audit import chunks
from ganleak_cli.audit.events import candidate_thresholds, epsilon_lower_bound


def draw_normals(width, size, rng):
    return rng.normal(size=(size, width))


def test_chunk_sizes_cover_the_trials_exactly():
    for trials in (1, 7, 8, 9, 1001):
        sizes = chunks.chunk_sizes(trials)
        assert sum(sizes) == trials and min(sizes) >= 1 and len(sizes) <= chunks.CHUNKS


def test_chunks_are_the_same_in_one_process_or_several():
    """Forked workers (a process without TensorFlow) draw the very samples one process draws."""
    code = ("import numpy as np; from functools import partial\n"
            "from ganleak_cli.audit import chunks\n"
            "from tests.test_audit_chunks import draw_normals\n"
            "draw = partial(draw_normals, 3)\n"
            "chunks.PARALLEL_FROM = 10**9\n"
            "alone = chunks.in_chunks(draw, 5000, 7)\n"
            "chunks.PARALLEL_FROM = 0\n"
            "assert chunks.can_fork() and chunks.cores() >= 2\n"
            "many = chunks.in_chunks(draw, 5000, 7)\n"
            "assert alone.shape == (5000, 3) and np.array_equal(alone, many)\n"
            "print('same')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "same", out.stderr


def test_chunks_follow_the_seed():
    draw = partial(draw_normals, 2)
    assert np.array_equal(chunks.in_chunks(draw, 100, 1), chunks.in_chunks(draw, 100, 1))
    assert not np.array_equal(chunks.in_chunks(draw, 100, 1), chunks.in_chunks(draw, 100, 2))


def test_thresholds_reach_the_rarest_runs_of_both_tails():
    values = np.random.default_rng(0).normal(size=1_000_000)
    thresholds = candidate_thresholds(values)
    ordered = np.sort(values)
    assert thresholds.max() >= ordered[-10] and thresholds.min() <= ordered[9]
    # an evenly spaced grid alone would stop at the 99.6 % quantile
    assert np.sum(thresholds > np.quantile(values, 0.999)) >= 10


def test_a_rare_event_of_a_large_loss_is_found():
    """A loss that only the top 0.1 % of the runs show: values far out (in [10, 11]) that D
    gives 20× as often as D′."""
    rng = np.random.default_rng(1)
    n = 2_000_000
    on_d, on_d2 = rng.normal(size=(n, 1)), rng.normal(size=(n, 1))
    for samples, rate in ((on_d, 2e-3), (on_d2, 1e-4)):
        far = rng.random(n) < rate
        samples[far, 0] = 10.0 + rng.random(int(far.sum()))
    bound = epsilon_lower_bound(("value",), on_d, on_d2)
    assert bound.event.threshold > 4 and bound.epsilon_lower_bound > 2.0   # log 20 ≈ 3.0


def test_the_search_share_sets_how_many_runs_are_held_out():
    rng = np.random.default_rng(2)
    on_d, on_d2 = rng.laplace(size=(1000, 1)), 1 + rng.laplace(size=(1000, 1))
    assert epsilon_lower_bound(("v",), on_d, on_d2).samples == 500
    assert epsilon_lower_bound(("v",), on_d, on_d2, search_share=0.2).samples == 800
