"""The face verdict: one pass/fail for a reconstruction that no single figure can give.

Each figure alone can be fooled: the oracle and ``identity_match`` by a generator collapsed onto
one noisy pattern, ``identity_match`` by a featureless image that resembles a low-contrast face,
``nn_ssim_heldout`` by the person's real faces buried in heavy noise. Each check below closes one
of these holes, so a reconstruction passes only when, together,

* the oracle assigns at least ``oracle`` of the samples to the target person;
* ``identity_match`` is at least ``identity`` **and** at least ``identity_margin`` above both of
  its baselines (flat images at each sample's brightness, and each sample's pixels shuffled);
* ``nn_ssim_heldout`` (mean SSIM to the nearest held-out face of the person) is at least
  ``ssim_heldout``: for a person, the bar follows what the victim's own photographs of that
  person score (``for_person``), since persons differ: some people's photographs are far closer
  to each other than others'. It is ``ssim_share`` of that figure, but never below
  ``ssim_floor`` nor less than ``ssim_over_other`` above what other persons' faces score;
* the samples are not collapsed: their mean pairwise SSIM (``sample_self_ssim``) is at most
  ``max_self_ssim``: a person's own training faces score well under it, a generator collapsed
  onto one image above it, copies of one image 1 (docs/metrics.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ganleak_cli.metrics.similarity import Stats, ssim_matrix

SELF_SSIM_SAMPLES = 64   # pairwise SSIM over the first 64 samples (2016 pairs)


@dataclass(frozen=True)
class FaceBars:
    """The bars of the face verdict. ``ssim_heldout`` is the SSIM bar itself: fixed where no
    person is known, set by ``for_person`` from the person's calibration otherwise."""

    oracle: float = 0.9
    identity: float = 0.9
    identity_margin: float = 0.5
    ssim_heldout: float = 0.55
    max_self_ssim: float = 0.85
    ssim_share: float = 0.85
    ssim_floor: float = 0.35
    ssim_over_other: float = 0.05

    def for_person(self, own: float, other: float) -> "FaceBars":
        """These bars with the SSIM bar of one person: ``ssim_share`` of ``own`` (the SSIM of
        the victim's photographs of the person to the held-out ones), at least ``ssim_floor``
        and at least ``ssim_over_other`` above ``other`` (other persons' faces' SSIM to them)."""
        bar = max(self.ssim_share * own, self.ssim_floor, other + self.ssim_over_other)
        return replace(self, ssim_heldout=float(bar))


def sample_self_ssim(samples: np.ndarray, limit: int = SELF_SSIM_SAMPLES) -> float:
    """Mean SSIM over all pairs of distinct samples among the first ``limit`` (1 for copies of
    one image; NaN for fewer than two samples)."""
    stats = Stats.of(np.asarray(samples[:limit]))
    n = len(stats.planes)
    if n < 2:
        return float("nan")
    scores = ssim_matrix(stats, stats)
    return float((scores.sum() - np.trace(scores)) / (n * (n - 1)))


def failed_checks(figures: dict, bars: FaceBars = FaceBars()) -> list[str]:
    """Names of the verdict's checks that ``figures`` fail (a missing figure fails its check)."""
    def value(key):
        v = figures.get(key)
        return float(v) if isinstance(v, (int, float)) and np.isfinite(v) else None

    oracle, match = value("oracle_target_rate"), value("identity_match")
    baseline = max(value("identity_flat_baseline") or 0.0,
                   value("identity_shuffled_baseline") or 0.0)
    ssim, self_ssim = value("nn_ssim_heldout"), value("sample_self_ssim")
    checks = {"oracle": oracle is not None and oracle >= bars.oracle,
              "identity": match is not None and match >= bars.identity,
              "identity_vs_baselines": match is not None
              and match >= baseline + bars.identity_margin,
              "ssim_heldout": ssim is not None and ssim >= bars.ssim_heldout,
              "not_collapsed": self_ssim is not None and self_ssim <= bars.max_self_ssim}
    return [name for name, ok in checks.items() if not ok]


def face_verdict(figures: dict, bars: FaceBars = FaceBars()) -> dict:
    """``{"face_verdict": 1.0 or 0.0, "face_verdict_failed": "check,check", "face_ssim_bar":
    the SSIM bar it used}`` (``face_verdict_failed`` empty when it passes)."""
    failed = failed_checks(figures, bars)
    return {"face_verdict": 0.0 if failed else 1.0, "face_verdict_failed": ",".join(failed),
            "face_ssim_bar": bars.ssim_heldout}


def face_figures(samples: np.ndarray, figures: dict, bars: FaceBars = FaceBars()) -> dict:
    """``sample_self_ssim`` of ``samples`` and the verdict on it plus ``figures`` (the record's
    oracle, identity and SSIM figures)."""
    own = {"sample_self_ssim": sample_self_ssim(samples)}
    return {**own, **face_verdict({**figures, **own}, bars)}
