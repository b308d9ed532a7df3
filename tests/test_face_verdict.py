"""The face verdict cannot be fooled: crafted sample sets fail it, the person's real faces pass.

The unit tests need no data; the calibration and fooling tests score sets built from the real
AT&T faces (GANLEAK_DATA_DIR) at the default 64×64 with the real face oracle.
"""

import numpy as np
import pytest

from ganleak_cli.metrics.verdict import FaceBars, face_verdict, failed_checks, sample_self_ssim

PASSING = {"oracle_target_rate": 0.95, "identity_match": 0.97, "identity_flat_baseline": 0.0,
           "identity_shuffled_baseline": 0.05, "nn_ssim_heldout": 0.6, "sample_self_ssim": 0.5}
TARGET = 7


def test_self_ssim_is_one_for_copies_and_low_for_noise():
    rng = np.random.default_rng(0)
    image = rng.uniform(-1, 1, (1, 32, 32, 1)).astype(np.float32)
    assert sample_self_ssim(np.repeat(image, 8, axis=0)) == pytest.approx(1.0, abs=1e-5)
    assert sample_self_ssim(rng.uniform(-1, 1, (8, 32, 32, 1)).astype(np.float32)) < 0.1
    assert np.isnan(sample_self_ssim(image))


def test_verdict_passes_only_when_every_check_holds():
    assert face_verdict(PASSING) == {"face_verdict": 1.0, "face_verdict_failed": "",
                                     "face_ssim_bar": FaceBars().ssim_heldout}
    breaks = {"oracle_target_rate": 0.5, "identity_match": 0.8, "nn_ssim_heldout": 0.5,
              "sample_self_ssim": 0.93}
    for key, value in breaks.items():
        verdict = face_verdict({**PASSING, key: value})
        assert verdict["face_verdict"] == 0.0 and verdict["face_verdict_failed"], key


def test_identity_must_clear_its_baselines():
    flat_wins = {**PASSING, "identity_flat_baseline": 0.9}
    assert failed_checks(flat_wins) == ["identity_vs_baselines"]
    assert failed_checks({**PASSING, "identity_shuffled_baseline": 0.6}) == [
        "identity_vs_baselines"]


def test_missing_or_nan_figures_fail_their_checks():
    assert "ssim_heldout" in failed_checks({k: v for k, v in PASSING.items()
                                            if k != "nn_ssim_heldout"})
    assert failed_checks({**PASSING, "sample_self_ssim": float("nan")}) == ["not_collapsed"]


def test_bars_are_parameters():
    assert failed_checks({**PASSING, "nn_ssim_heldout": 0.52}) == ["ssim_heldout"]
    assert failed_checks({**PASSING, "nn_ssim_heldout": 0.52}, FaceBars(ssim_heldout=0.5)) == []


def test_the_ssim_bar_follows_the_person():
    """A share of what the person's own photographs score, never under the floor nor near what
    other persons' faces score."""
    bars = FaceBars()
    assert bars.for_person(own=0.66, other=0.28).ssim_heldout == pytest.approx(0.561)
    assert bars.for_person(own=0.30, other=0.20).ssim_heldout == pytest.approx(0.35)   # floor
    assert bars.for_person(own=0.50, other=0.42).ssim_heldout == pytest.approx(0.47)   # others
    assert bars.for_person(own=0.66, other=0.28).oracle == bars.oracle
    assert face_verdict(PASSING, bars.for_person(0.66, 0.28))["face_ssim_bar"] == \
        pytest.approx(0.561)


# --- real faces ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def faces(faces):
    """conftest's real faces, paired with their oracle."""
    from ganleak_cli.metrics.oracle import Oracle
    return faces, Oracle.for_data(faces.name, faces.x_test, faces.y_test, faces.num_classes)


@pytest.fixture(scope="module")
def rows(faces):
    from ganleak_cli.metrics.calibration import calibration_rows
    data, oracle = faces
    return calibration_rows(data, oracle, TARGET)


def score(faces, samples):
    from ganleak_cli.metrics.calibration import score_samples
    data, oracle = faces
    return score_samples(samples, data, oracle, TARGET, data.x_test[data.y_test == TARGET])


def collapsed_pattern(shape, seed=0):
    """The collapsed non-face of issue #14: a dark arch over a bright band over noise, the same
    pattern (with a little noise) in every sample."""
    rng = np.random.default_rng(seed)
    h, w = shape[:2]
    yy, xx = np.mgrid[0:h, 0:w] / np.array([h, w])[:, None, None]
    image = rng.uniform(-0.6, 0.6, (h, w))
    arch = (np.hypot(yy - 0.45, (xx - 0.5) * 1.2) < 0.38) & (yy < 0.4)
    image[arch] = -0.8
    image[(yy > 0.4) & (yy < 0.55)] = 0.8
    batch = np.repeat(image[None, ..., None], 16, axis=0)
    return np.clip(batch + rng.normal(0, 0.03, batch.shape), -1, 1).astype(np.float32)


@pytest.mark.slow
def test_the_persons_real_faces_pass(rows):
    for name in ("heldout_faces", "private_faces"):
        assert rows[name]["face_verdict"] == 1.0, (name, rows[name])


@pytest.mark.slow
def test_calibration_rows_that_must_fail_do(rows):
    assert rows["mean_face"]["face_verdict_failed"] == "not_collapsed"
    assert rows["mean_face"]["nn_ssim_heldout"] > rows["private_faces"]["nn_ssim_heldout"]
    for name in ("noisy_faces", "other_faces", "uniform_noise"):
        assert rows[name]["face_verdict"] == 0.0, (name, rows[name])
    assert "identity" in rows["other_faces"]["face_verdict_failed"]
    assert rows["uniform_noise"]["nn_ssim_heldout"] < 0.1


@pytest.mark.slow
def test_a_collapsed_non_face_fails(faces):
    figures = score(faces, collapsed_pattern(faces[0].image_shape))
    failed = figures["face_verdict_failed"].split(",")
    assert figures["face_verdict"] == 0.0
    assert "not_collapsed" in failed and "ssim_heldout" in failed
    assert figures["sample_self_ssim"] > 0.9


@pytest.mark.slow
def test_a_flat_grey_image_fails(faces):
    flat = np.zeros((16, *faces[0].image_shape), np.float32)
    figures = score(faces, flat)
    failed = figures["face_verdict_failed"].split(",")
    assert figures["face_verdict"] == 0.0
    assert {"identity_vs_baselines", "not_collapsed", "ssim_heldout"} <= set(failed)


@pytest.mark.slow
def test_another_persons_faces_fail(faces):
    from ganleak_cli.core.pixels import to_model_range
    data = faces[0]
    other = to_model_range(data.x_train[data.y_train == 12])
    figures = score(faces, other)
    failed = figures["face_verdict_failed"].split(",")
    assert figures["face_verdict"] == 0.0
    assert {"oracle", "identity"} <= set(failed)
    assert figures["sample_self_ssim"] < 0.85   # real faces: not collapsed


# persons whose own photographs fail the fixed SSIM bar of 0.55 (s10, s14, s17)
PERSONS = (9, 13, 16)


@pytest.mark.slow
@pytest.mark.parametrize("target", PERSONS)
def test_every_persons_photographs_pass_and_fakes_fail_at_the_persons_bar(faces, target):
    """The victim's own photographs of the person pass with the person's bar (some fail the
    fixed one); another person's faces, noise, a flat image and a collapsed pattern fail it."""
    from ganleak_cli.core.pixels import to_model_range
    from ganleak_cli.metrics.calibration import calibration_sets, person_bars, score_samples
    data, oracle = faces
    bars = person_bars(data, target)
    assert 0.35 <= bars.ssim_heldout < 0.62
    heldout = data.x_test[data.y_test == target]
    sets = calibration_sets(data, target)

    def judged(name_or_samples, own_index=None):
        samples = name_or_samples
        if isinstance(name_or_samples, str):
            samples, own_index = sets[name_or_samples]
        return score_samples(samples, data, oracle, target, heldout, own_index, bars)

    own = judged("private_faces")
    assert own["face_verdict"] == 1.0, own
    assert "ssim_heldout" in failed_checks(own)   # the fixed 0.55 bar
    for name in ("other_faces", "uniform_noise", "noisy_faces"):
        assert judged(name)["face_verdict"] == 0.0, name
    flat = np.zeros((16, *data.image_shape), np.float32)
    for fake in (flat, collapsed_pattern(data.image_shape, seed=target)):
        figures = judged(fake)
        assert figures["face_verdict"] == 0.0 and "not_collapsed" in figures["face_verdict_failed"]
    other = to_model_range(data.x_train[data.y_train == (target + 1) % 40])
    assert {"oracle", "identity"} <= set(judged(other)["face_verdict_failed"].split(","))


@pytest.mark.slow
def test_the_floor_is_above_other_persons_and_noise_for_every_person(faces):
    """For all 40 persons: other persons' faces and uniform noise score under the SSIM floor,
    so the floor is what separates them, not the share alone."""
    from ganleak_cli.metrics.calibration import calibration_sets, person_ssim
    from ganleak_cli.metrics.similarity import nearest_ssim
    data, _ = faces
    floor = FaceBars().ssim_floor
    for target in range(data.num_classes):
        own, other = person_ssim(data, target)
        noise = calibration_sets(data, target)["uniform_noise"][0]
        heldout = data.x_test[data.y_test == target]
        assert other < floor and nearest_ssim(noise, heldout)[0].mean() < 0.1, target
