"""The exact privacy loss of Shokri's upload on the audit's neighbours, and the proven bound.

The claim (ε per upload) is loose: |bound(Δw_j, γ)| lies in [0, γ], so the selection's queries
have sensitivity γ, not the Δf = 2γ the analysis assumes, and the upload is (ε/3 + 2ε/(9c))-DP
(``proven_epsilon``; docs/privacy.md derives it). What a sampled audit can show is at most the
largest privacy loss of the neighbours it runs on, which ``neighbours_loss`` computes without
sampling for one released value (c = 1), from the same closed form the selection is drawn by:

* every parameter passes one test with probability p_j(θ) = P(Lap(b_ν) ≥ θ − |Δw_j|), given the
  noisy threshold θ = τ + Lap(b_ρ); the first sweep in which some parameter passes selects one
  of those that pass, uniformly. For the target A and N other parameters alike,
  P[A | θ] = p_A·E[1/(1 + X)] / (1 − (1 − p_A)(1 − p_o)^N), X ~ Bin(N, p_o), and
  E[1/(1 + X)] = (1 − (1 − p_o)^{N+1}) / ((N + 1)·p_o); P[A] integrates this over θ;
* the released value of A is γ + Lap(b_v) on D and 0 + Lap(b_v) on D′, clipped to [−γ, γ]: its
  clipped top {v = γ} has odds e^{γ/b_v}, the largest of any value.

The loss of the output (A, v = γ), log(P_D[A] / P_D′[A]) + γ/b_v, is the largest of any output.
"""

from __future__ import annotations

import numpy as np

from ganleak_cli.privacy.shokri import laplace_survival, shokri_scales

GRID = 200_001


def proven_epsilon(epsilon: float, c: int) -> float:
    """ε/3 + 2ε/(9c): the upload's ε with the selection's true sensitivity γ."""
    return epsilon / 3.0 + 2.0 * epsilon / (9.0 * c)


def target_odds(m_target: float, m_other: float, others: int, theta: np.ndarray,
                query_scale: float) -> np.ndarray:
    """P[the target is the one selected | θ] for c = 1 (the module's formula), per θ."""
    p_a = laplace_survival(theta - m_target, query_scale)
    p_o = laplace_survival(theta - m_other, query_scale)
    none_before = 1.0 - (1.0 - p_a) * (1.0 - p_o) ** others
    share = (1.0 - (1.0 - p_o) ** (others + 1)) / ((others + 1) * p_o)
    return p_a * share / none_before


def neighbours_loss(epsilon: float, params: int, gamma: float, tau: float) -> dict:
    """The audit's neighbours (γ on the target and 0 on the params − 1 others, vs the reverse)
    at c = 1: P[target selected] on each, the selection's and the value's loss, and their sum
    (the largest privacy loss of any output)."""
    scales = shokri_scales(epsilon, 1, gamma)
    span = 60.0 * scales.threshold
    r = np.linspace(-span, span, GRID)
    weight = np.exp(-np.abs(r) / scales.threshold) / (2.0 * scales.threshold) * (r[1] - r[0])
    theta = tau + r
    on_d = float(np.sum(weight * target_odds(gamma, 0.0, params - 1, theta, scales.query)))
    on_d2 = float(np.sum(weight * target_odds(0.0, gamma, params - 1, theta, scales.query)))
    selection, value = float(np.log(on_d / on_d2)), gamma / scales.value
    return {"target_selected_on_d": on_d, "target_selected_on_d2": on_d2,
            "selection_loss": selection, "value_loss": value, "loss": selection + value}
