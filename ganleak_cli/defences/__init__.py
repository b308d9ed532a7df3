"""Defences of the honest participants: one module each, found through the
``ganleak.defences`` entry points (ganleak's own ones too, see pyproject.toml).

A defence is a ``Defence`` subclass with a ``name``, a ``Settings`` dataclass of declared fields
(its options) and the hooks the simulation calls: the trainer private participants train with,
the rule that makes their uploads, the DP events a turn spends and the ε figures a run reports.
Every hook has the undefended behaviour as its default, so a defence overrides only what it
changes. docs/extending.md walks through writing one.
"""

from __future__ import annotations

from dataclasses import dataclass

from ganleak_cli.core.components import NoSettings, Registry

DEFENCES = Registry("ganleak.defences", "defense")


@dataclass(frozen=True)
class DefenceContext:
    """The run's facts a defence may read (never the whole run config): the exchange and
    training rules and what the ε figures are reported at."""

    theta_u: float = 1.0
    gamma: float | None = None          # the exchange's clip bound (--gamma)
    batch_size: int = 64
    local_steps: int = 10
    protocol: str = "dssgd"
    selective: bool = True              # the protocol exchanges selected parameters (DSSGD)
    delta: float = 1e-5                 # δ at which composed ε is reported (--dp-delta)
    adversary_private: bool = False     # --dp-adversary: the insider applies the defence too
    insider_classes: tuple = ()         # the classes the insider holds, its artificial one too
    target_class: int = 0               # the class the insider attacks


class Defence:
    """The undefended protocol; subclasses override the hooks their defence changes."""

    name = ""
    summary = ""                        # one line for --help
    Settings = NoSettings
    accountant = "rdp"                  # composes this defence's DP events (Ledger.epsilon)

    def __init__(self, settings=None, context: DefenceContext | None = None):
        self.settings = settings if settings is not None else self.Settings()
        self.context = context or DefenceContext()

    def validate(self) -> None:
        """Raise ValueError('<field>: …') for settings that contradict each other or the run's
        context (ranges and choices are checked from the declarations before this)."""

    def applies_to(self, adversary: bool) -> bool:
        """Whether a participant applies the defence: every honest one; the insider only with
        --dp-adversary (the undefended protocol, defences/none.py, applies to nobody)."""
        return not adversary or self.context.adversary_private

    def build_model(self, image_shape, n_outputs: int, seed: int):
        """The shared model every participant trains (``seed``: the defence's own, for any
        secret it draws): the paper's CNN."""
        from ganleak_cli.core.models import build_classifier

        return build_classifier(image_shape, n_outputs)

    def loss(self):
        """The training loss ``loss(labels, outputs)`` of every participant; None: the
        trainer's cross-entropy on logits."""
        return None

    def insider_view(self, model):
        """A context-manager factory entered around each of the insider's turns (what the
        shared model looks like to it), or None: the model as everyone sees it."""
        return None

    def private_trainer(self, model, lr: float, seed: int):
        """The LocalTrainer of participants that apply the defence; None: the plain one."""
        return None

    def uploader(self, rules, n_params: int, private: bool):
        """The upload rule of a participant: ``rules``' plain θu selection and γ clipping."""
        from ganleak_cli.protocol.participant import PlainUpload

        return PlainUpload(rules)

    def turn_ledger(self, n_params: int, records: int, turns: int = 1):
        """The DP events ``turns`` turns of a private participant holding ``records`` records
        spend (a privacy.accounting.Ledger), or None when the defence spends none."""
        return None

    def nominal_figures(self, n_params: int, round_epsilon: float | None) -> dict:
        """The defence's own ε figures beside the composed ones (``epsilon_nominal``, …)."""
        return {"epsilon_nominal": round_epsilon, "epsilon_per_param": None}

    def epsilon_figures(self, ledgers: list, turn_ledger, n_params: int) -> dict:
        """Nominal and composed ε: the largest over the given (private) participants' ledgers.
        ``epsilon_round`` is one turn's composed ε; ``epsilon_total`` composes every event so
        far. Empty when nobody applies a defence that spends ε."""
        if not self.applies_to(False) or not ledgers or turn_ledger is None:
            return {}
        delta = self.context.delta
        total, accountant = max(ledger.epsilon(delta, self.accountant) for ledger in ledgers)
        round_eps = turn_ledger.epsilon(delta, self.accountant)[0]
        return {"epsilon_total": total, "epsilon_round": round_eps, "delta": delta,
                "accountant": accountant, "defense": self.name,
                **self.nominal_figures(n_params, round_eps)}

    def describe(self, plan: dict) -> list[str]:
        """Lines of ``ganleak privacy`` about this defence's own figures in ``plan``."""
        return []
