"""The row-step statistic (metrics/rows.py): a straight line across every sample at the
generator's grid border is found and measured; a smooth ramp has none."""

import numpy as np
import pytest

from ganleak_cli.metrics.rows import border_steps, grid_borders, row_steps


def ramp(n=8, side=64):
    rows = np.linspace(40, 200, side)[None, :, None]
    return np.repeat(np.repeat(rows, side, axis=2), n, axis=0)


def test_borders_of_the_4x4_start_of_a_64_generator():
    assert grid_borders(64) == [15, 31, 47]
    assert grid_borders(32) == [7, 15, 23]


def test_a_ramp_changes_evenly():
    steps = row_steps(ramp())
    assert steps.shape == (63,)
    np.testing.assert_allclose(steps, 160 / 63)


def test_a_step_one_row_below_the_middle_border_is_found():
    stepped = ramp()
    stepped[:, 33:] += 20.0                        # rows 32 | 33: one below the border 31 | 32
    figures = border_steps(stepped, ramp())
    assert figures["row"] == 33
    assert figures["step"] == pytest.approx(20 + 160 / 63)
    assert figures["median_elsewhere"] == pytest.approx(160 / 63)
    assert figures["reference_step"] == pytest.approx(160 / 63)


def test_a_step_away_from_the_borders_is_not_a_border_step():
    stepped = ramp()
    stepped[:, 24:] += 20.0                        # rows 23 | 24: a cell's middle
    assert border_steps(stepped, ramp())["step"] == pytest.approx(160 / 63)
