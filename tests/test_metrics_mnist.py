"""The leakage metrics: arithmetic on tiny synthetic arrays, sanity checks on real MNIST (skipped
without GANLEAK_DATA_DIR), and the comparison grid and strip images."""

import numpy as np
import pytest
from PIL import Image

from ganleak_cli.metrics.distance import PSNR_CAP, diversity, nearest_l2, psnr, rms
from ganleak_cli.metrics.fid import frechet_distance, trace_sqrt_product_numpy
from ganleak_cli.metrics.similarity import nearest_ssim, nearest_ssim_prefiltered
from ganleak_cli.runfolder.artifacts import RunFolder, compare_tile

# --- arithmetic on synthetic arrays -------------------------------------------------------------


def test_rms_distance_is_per_pixel_and_scale_free():
    black, white = np.zeros((1, 4, 4, 1), np.uint8), np.full((1, 4, 4, 1), 255, np.uint8)
    grey = np.full((1, 4, 4, 1), 0.0, np.float32)  # 0 in [−1, 1] is 0.5 in [0, 1]
    dist, where = nearest_l2(black, np.concatenate([white, white]))
    assert dist[0] == pytest.approx(1.0) and where[0] == 0
    dist, _ = nearest_l2(grey, white)
    assert dist[0] == pytest.approx(0.5)
    assert rms(np.zeros((1, 9)), np.full((1, 9), 0.2))[0] == pytest.approx(0.2)


def test_nearest_l2_finds_the_copy_exactly():
    rng = np.random.default_rng(0)
    refs = rng.integers(0, 256, (50, 6, 6, 1), dtype=np.uint8)
    dist, where = nearest_l2(refs[[7, 3, 42]], refs, chunk=16)
    assert where.tolist() == [7, 3, 42]
    assert dist.tolist() == [0.0, 0.0, 0.0]


def test_psnr_is_minus_ten_log_mse_capped_for_copies():
    a = np.zeros((2, 4, 4, 1), np.float32) - 1.0  # 0 in [0, 1]
    b = a.copy()
    b[0] += 0.2  # 0.1 in [0, 1]: MSE 0.01 → 20 dB
    values = psnr(a, b)
    assert values[0] == pytest.approx(20.0, abs=1e-3)
    assert values[1] == PSNR_CAP


def test_diversity_of_copies_is_zero_and_of_two_extremes_is_one():
    one = np.random.default_rng(1).uniform(-1, 1, (1, 5, 5, 1)).astype(np.float32)
    assert diversity(np.repeat(one, 100, axis=0)) == 0.0
    extremes = np.stack([np.full((5, 5, 1), -1.0), np.full((5, 5, 1), 1.0)]).astype(np.float32)
    assert diversity(extremes) == pytest.approx(1.0)
    three = np.stack([np.full((2, 2, 1), v) for v in (-1.0, 0.0, 1.0)]).astype(np.float32)
    assert diversity(three, chunk=2) == pytest.approx((0.5 + 1.0 + 0.5) / 3)


def test_fid_of_a_set_with_itself_is_zero_and_of_a_shift_is_its_square():
    features = np.random.default_rng(2).normal(size=(500, 6))
    shift = np.array([1.0, -2.0, 0.5, 0.0, 0.0, 3.0])
    assert frechet_distance(features, features) == pytest.approx(0.0, abs=1e-6)
    assert frechet_distance(features, features + shift) == pytest.approx(
        float(np.sum(shift ** 2)), rel=1e-6)


def test_fid_of_gaussians_with_known_covariances():
    # N(0, I) vs N(0, 4I) in d dims: tr I + tr 4I − 2 tr(2I) = d (5d − 4d).
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(20000, 3)), 2.0 * rng.normal(size=(20000, 3))
    assert frechet_distance(a, b) == pytest.approx(3.0, rel=0.05)


def test_numpy_trace_sqrt_agrees_with_scipy_even_when_rank_deficient():
    linalg = pytest.importorskip("scipy.linalg")
    rng = np.random.default_rng(4)
    cov1 = np.cov(rng.normal(size=(40, 64)), rowvar=False)  # rank 39 < 64, as 100 < 128
    cov2 = np.cov(rng.normal(size=(300, 64)) + 1.0, rowvar=False)
    expected = float(np.real(np.trace(linalg.sqrtm(cov1 @ cov2))))
    assert trace_sqrt_product_numpy(cov1, cov2) == pytest.approx(expected, rel=1e-6)


def test_prefiltered_ssim_search_is_exhaustive_for_small_sets():
    rng = np.random.default_rng(5)
    refs = rng.integers(0, 256, (20, 16, 16, 1), dtype=np.uint8)
    samples = rng.uniform(-1, 1, (6, 16, 16, 1)).astype(np.float32)
    best, where = nearest_ssim(samples, refs)
    fast, fast_where = nearest_ssim_prefiltered(samples, refs, candidates=32)
    np.testing.assert_array_equal(where, fast_where)
    shortlisted, _ = nearest_ssim_prefiltered(samples, refs, candidates=8)
    assert np.all(shortlisted <= best + 1e-6)


# --- images -------------------------------------------------------------------------------------


def _size(columns, rows, h=28, w=28, pad=2, scale=3):
    """(width, height) in pixels of a ``tile`` grid enlarged ``scale`` times."""
    return (scale * (columns * (w + pad) + pad), scale * (rows * (h + pad) + pad))


def test_compare_tile_alternates_samples_and_neighbours():
    top = np.full((16, 4, 4, 1), 200, np.uint8)
    bottom = np.full((16, 4, 4, 1), 50, np.uint8)
    grid = compare_tile(top, bottom, columns=8, pairs=2, pad=1, rule=3)
    assert grid.shape == (2 * (2 * 5 + 1) + 3, 8 * 5 + 1)
    assert grid[1, 1] == 200 and grid[6, 1] == 50 and grid[11, 1] == 128


def test_compare_grid_and_strip_have_the_right_size(tmp_path):
    folder = RunFolder(tmp_path / "run").create()
    assert folder.write_strip() is None and not list((folder.root / "grids").iterdir())
    rng = np.random.default_rng(6)
    for round_no in (10, 20, 30):
        samples = rng.uniform(-1, 1, (64, 28, 28, 1)).astype(np.float32)
        folder.write_samples(round_no, samples, 3)
        folder.write_compare(round_no, samples, rng.integers(0, 256, (64, 28, 28, 1), np.uint8))
    (folder.root / "samples" / "round_0040.npz.tmp.npz").write_bytes(b"")  # a torn write
    compare = Image.open(folder.root / "grids" / "compare_0030.png")
    # four pairs of rows (2·30 + 2 pixels each) and three 2-pixel rules between them, ×3
    assert compare.size == (3 * (8 * 30 + 2), 3 * (4 * (2 * 30 + 2) + 3 * 2))
    strip = Image.open(folder.write_strip())
    assert strip.size == _size(10, 3)
    first = np.asarray(strip)[3 * 2: 3 * 30, 3 * 2: 3 * 30][::3, ::3]
    with np.load(folder.root / "samples" / "round_0010.npz") as npz:
        np.testing.assert_array_equal(first, npz["images"][0])


# --- real MNIST ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def oracle(mnist):
    from ganleak_cli.metrics.oracle import Oracle
    return Oracle.for_data(mnist.name, mnist.x_test, mnist.y_test, mnist.num_classes)


@pytest.fixture(scope="module")
def threes(mnist):
    """(held-out: the test split's threes, the oracle's training data; private: the training
    split's threes, which the victims hold and the oracle never saw)."""
    return mnist.x_test[mnist.y_test == 3], mnist.x_train[mnist.y_train == 3]


def _report(samples, oracle, threes):
    from ganleak_cli.metrics.evaluate import leakage_report
    heldout, private = threes
    return leakage_report(samples, oracle, heldout, private, 3)


def as_samples(images):
    """uint8 images → generator-style floats in [−1, 1]."""
    return images.astype(np.float32) / 127.5 - 1.0


@pytest.fixture(scope="module")
def real_report(oracle, threes):
    """Real threes the oracle never saw (victim-side training images) as 'samples'."""
    return _report(as_samples(threes[1][:100]), oracle, threes)


@pytest.fixture(scope="module")
def noise_report(oracle, threes):
    noise = np.random.default_rng(7).uniform(-1, 1, (100, 28, 28, 1)).astype(np.float32)
    return _report(noise, oracle, threes)


@pytest.mark.slow  # with the next four: two full leakage reports, ~10 s each on 2 cores
def test_real_threes_score_as_leakage(real_report):
    figures, _ = real_report
    assert figures["oracle_target_rate"] >= 0.95
    assert figures["nn_ssim_heldout"] >= 0.5


@pytest.mark.slow
def test_uniform_noise_scores_low(noise_report):
    figures, _ = noise_report
    assert figures["oracle_target_rate"] <= 0.2
    assert figures["nn_ssim_heldout"] <= 0.2
    assert figures["nn_ssim_private"] <= 0.2


@pytest.mark.slow
def test_private_records_are_found_exactly(real_report):
    figures, nearest = real_report
    assert nearest.tolist() == list(range(100))
    assert figures["nn_ssim_private"] == pytest.approx(1.0, abs=1e-5)
    assert figures["nn_l2_private"] == pytest.approx(0.0, abs=1e-6)
    assert figures["nn_psnr_private"] == PSNR_CAP
    assert figures["memorisation_gap"] == pytest.approx(
        figures["nn_ssim_private_matched"] - figures["nn_ssim_heldout"])


def test_a_private_record_is_its_own_nearest_neighbour_exactly(threes):
    from ganleak_cli.metrics.distance import nearest_pixel_figures
    _, private = threes
    figures = nearest_pixel_figures(private[[5, 500]], private, "private")
    assert figures == {"nn_l2_private": 0.0, "nn_psnr_private": PSNR_CAP}


@pytest.mark.slow
def test_noise_is_far_in_pixels_and_features(real_report, noise_report):
    real, noise = real_report[0], noise_report[0]
    assert noise["nn_l2_heldout"] > 2 * real["nn_l2_heldout"]
    assert noise["nn_psnr_heldout"] < real["nn_psnr_heldout"]
    assert noise["fid_oracle"] > 10 * real["fid_oracle"]


def test_fid_real_vs_real_is_far_below_real_vs_noise(oracle, threes):
    from ganleak_cli.metrics.fid import fid_oracle
    heldout = threes[0]
    half = len(heldout) // 2
    real = fid_oracle(heldout[:half], heldout[half:], oracle)
    noise = np.random.default_rng(8).uniform(-1, 1, (half, 28, 28, 1)).astype(np.float32)
    assert real * 10 <= fid_oracle(noise, heldout[half:], oracle)


def test_diversity_of_copies_is_zero_and_of_real_images_positive(threes):
    one = threes[1][:1]
    assert diversity(np.repeat(one, 100, axis=0)) == 0.0
    assert diversity(as_samples(threes[1][:100])) > 0.1


def test_oracle_features_are_the_penultimate_relu_layer(oracle, threes):
    features = oracle.features(threes[0][:10])
    assert features.shape == (10, 128) and features.min() >= 0.0


def test_memorisation_gap_of_unseen_real_threes_is_about_zero(oracle, threes):
    """Unseen threes are as close to the victims' records as to other unseen ones: the
    size-matched gap is ≈ 0, while the unmatched difference is biased upwards."""
    from ganleak_cli.metrics.evaluate import leakage_report
    heldout, private = threes
    figures, _ = leakage_report(as_samples(heldout[:100]), oracle, heldout[100:], private, 3)
    assert abs(figures["memorisation_gap"]) < 0.025
    assert figures["nn_ssim_private"] - figures["nn_ssim_heldout"] > figures["memorisation_gap"]
