"""simulate(config) → summary: the one place that wires data, protocol, attack and metrics."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import keras
import numpy as np

from ganleak_cli import __version__
from ganleak_cli.core.determinism import set_determinism
from ganleak_cli.core.environment import run_device
from ganleak_cli.core.errors import ConfigError, RunInterrupted
from ganleak_cli.core.models import LATENT_DIM
from ganleak_cli.core.values import GroundTruth
from ganleak_cli.data import load_dataset
from ganleak_cli.data.partition import split_records
from ganleak_cli.metrics.calibration import calibration_for
from ganleak_cli.metrics.evaluate import model_accuracy
from ganleak_cli.metrics.oracle import ORACLE_SEED, Oracle
from ganleak_cli.metrics.score import score_reconstruction
from ganleak_cli.privacy.accounting import Ledger
from ganleak_cli.protocol.participant import ExchangeRules, Participant
from ganleak_cli.protocol.rounds import PROTOCOLS
from ganleak_cli.protocol.server import ParameterServer
from ganleak_cli.protocol.trainer import LocalTrainer
from ganleak_cli.runfolder.artifacts import CALIBRATION, RunFolder
from ganleak_cli.runfolder.checkpoint import CHECKPOINT_NAME, load_checkpoint, save_checkpoint
from ganleak_cli.runfolder.state import restore_world, world_state
from ganleak_cli.runfolder.tboard import TensorBoardLog
from ganleak_cli.simulation.config import CONFIG_SCHEMA, SimConfig
from ganleak_cli.simulation.settings import DataSettings, EvaluationSettings, RunSettings


@dataclass
class World:
    """Everything a run's round loop touches."""

    options: dict                      # the run's options as config.json records them
    data_settings: DataSettings        # its classes and target, which scoring reads
    dataset: object
    trainer: LocalTrainer
    server: ParameterServer
    participants: list
    rules: ExchangeRules
    order_rng: np.random.Generator
    fixed_noise: np.ndarray
    oracle: Oracle | None
    truth: GroundTruth                 # what scoring sees; no attack is handed the world
    attack: object = None              # GanReconstruction, MiFaceReconstruction or None
    protocol: object = None            # the chosen Protocol (``SimConfig.make_protocol``)
    defence: object = None             # the chosen defences.Defence

    @property
    def adversary(self):
        """The insider (always the last participant)."""
        return self.participants[-1]

    @property
    def private_participants(self) -> list:
        """Participants that apply the defence (victims; the adversary with --dp-adversary)."""
        return [p for i, p in enumerate(self.participants)
                if self.defence.applies_to(adversary=i == len(self.participants) - 1)]


def _seed_int(seq: np.random.SeedSequence) -> int:
    return int(seq.generate_state(1)[0])


def named_seeds(seed: int, victims: int) -> dict:
    """Independent seed sequences, one per random choice, all derived from ``--seed``."""
    seq = np.random.SeedSequence(seed).spawn(victims + 8)  # new roles go last: same old seeds
    return {"partition": seq[0], "victims": seq[1:victims + 1], "order": seq[victims + 1],
            "fixed_noise": seq[victims + 2], "generator": seq[victims + 3],
            "adversary": seq[victims + 4], "dpsgd": seq[victims + 5], "mia": seq[victims + 6],
            "defence": seq[victims + 7]}


def _trainers(defence, model, lr: float, seed) -> tuple[LocalTrainer, LocalTrainer]:
    """(trainer of private participants, trainer of the others), both on the one model."""
    plain = LocalTrainer(model, lr, defence.loss())
    private = defence.private_trainer(model, lr, _seed_int(seed))
    return (private or plain), plain


def _participants(split: DataSettings, rules: ExchangeRules, selective: bool, defence, attack,
                  data, trainers, seeds) -> list:
    """Victims 0..N−1 and, last, the insider the attack plays: ``split`` shares the records of
    ``data`` out, ``rules`` are the exchange rules and ``selective`` whether the protocol
    exchanges selected fractions of the parameters."""
    part = split_records(data.y_train, split.victim_classes, split.adversary_classes,
                         split.victims, np.random.default_rng(seeds["partition"]),
                         split.records_per_class, mode=split.partition, target=split.target_class)
    if min(len(share) for share in part.victims) < 1:
        held = sum(len(share) for share in part.victims)
        raise ConfigError(f"victims: {split.victims} victims cannot share {held} records")
    weights = trainers[1].flat.get()

    def role(private: bool, keep_local: bool = rules.theta_d < 1 and selective) -> dict:
        return {"trainer": trainers[0] if private else trainers[1],
                "uploader": defence.uploader(rules, weights.size, private), "ledger": Ledger(),
                "keep_local": keep_local}

    people = [Participant(f"victim{i}", data.x_train[idx], data.y_train[idx], weights,
                          np.random.default_rng(seeds["victims"][i]),
                          **role(defence.applies_to(adversary=False)))
              for i, idx in enumerate(part.victims)]
    adv_args = ("adversary", data.x_train[part.adversary], data.y_train[part.adversary], weights,
                np.random.default_rng(seeds["adversary"]))
    adv_role = role(defence.applies_to(adversary=True), keep_local=True)  # MI-FACE reads it
    return people + [attack.insider(adv_args, adv_role, data.image_shape,
                                    _seed_int(seeds["generator"]))]


class Silent:
    """The default reporter of ``simulate``: says nothing (the CLI passes a RunProgress)."""

    def note(self, text: str) -> None:
        """A set-up step."""

    def round_done(self, round_no: int, total: int) -> None:
        """A round was played."""

    def evaluation(self, record: dict, seconds: float) -> None:
        """An evaluation was recorded."""

    def stop_requested(self) -> bool:
        """Whether to stop after the round just played (checkpointed, ``RunInterrupted``)."""
        return False


def build_world(cfg: SimConfig, note=Silent().note) -> World:
    """Load data, seed everything from the run's seed, build the model, server and participants
    (``note`` hears each slow step as it starts)."""
    note(f"loading {cfg.data.dataset}")
    data = load_dataset(cfg.data.dataset, cfg.data.data_dir, cfg.data.image_size, cfg.data.color)
    cfg = cfg.with_defense().validate(data.num_classes)
    defence, attack = cfg.make_defence(data.num_classes), cfg.make_attack(data.num_classes)
    oracle = None   # first: training it (a cache miss) reseeds the global RNGs
    if attack.reconstructs:
        cached = Oracle.is_cached(data.name, data.x_test, data.y_test)
        note("oracle: from the cache" if cached else
             "oracle: training it on the held-out split (once; cached for later runs)")
        oracle = Oracle.for_data(data.name, data.x_test, data.y_test, data.num_classes)
    set_determinism(cfg.run.deterministic)
    keras.utils.set_random_seed(cfg.run.seed)
    seeds = named_seeds(cfg.run.seed, cfg.data.victims)
    model = defence.build_model(data.image_shape, data.num_classes + 1,
                                _seed_int(seeds["defence"]))
    trainers = _trainers(defence, model, cfg.exchange.lr, seeds["dpsgd"])
    weights = trainers[1].flat.get()
    rules = cfg.exchange.rules()
    selective = PROTOCOLS.get(cfg.protocol.protocol).selective
    participants = _participants(cfg.data, rules, selective, defence, attack, data, trainers,
                                 seeds)
    participants[-1].view = defence.insider_view(model) or participants[-1].view
    fixed_noise = np.random.default_rng(seeds["fixed_noise"]).standard_normal(
        (cfg.evaluation.eval_samples, LATENT_DIM)).astype(np.float32)
    truth = GroundTruth.of(data, [(p.images, p.labels) for p in participants[:-1]],
                           cfg.data.target_class)
    return World(options=cfg.to_dict(), data_settings=cfg.data, dataset=data,
                 trainer=trainers[1], server=ParameterServer(weights),
                 participants=participants, rules=rules,
                 order_rng=np.random.default_rng(seeds["order"]), fixed_noise=fixed_noise,
                 oracle=oracle, truth=truth,
                 attack=attack.reconstruction(trainers[1].model, trainers[1].flat,
                                              data.image_shape, fixed_noise,
                                              np.random.default_rng(seeds["mia"])),
                 protocol=cfg.make_protocol(),
                 defence=defence)


def play_round(world: World) -> None:
    """One round of the configured protocol (``--protocol``: DSSGD turns or FedAvg)."""
    world.protocol.play(world.participants, world.server, world.rules, world.order_rng)


def evaluate(world: World, round_no: int, folder: RunFolder) -> dict:
    """Score the shared model and the generator; write grid and samples; return the record."""
    split, data = world.data_settings, world.dataset
    world.trainer.flat.set(world.server.weights)
    record = {"round": round_no}
    record.update(model_accuracy(world.trainer.model, data.x_test, data.y_test,
                                 split.victim_classes))
    record["participant_loss"] = {p.name: p.last_loss for p in world.participants}
    record.update(privacy_figures(world))
    if world.attack is None:
        return record
    reconstruction = world.attack.reconstruct(world.adversary)
    figures, nearest = score_reconstruction(reconstruction, world.truth, world.oracle)
    record.update(figures)
    folder.write_samples(round_no, reconstruction.samples, split.target_class)
    folder.write_compare(round_no, reconstruction.samples, world.truth.private[nearest])
    return record


def privacy_figures(world: World) -> dict:
    """ε spent so far (largest over private participants) and per round."""
    private = world.private_participants
    if not private:
        return {}
    fewest = min((len(p.labels) for p in private if len(p.labels)), default=1)
    n_params = world.server.weights.size
    turn = world.defence.turn_ledger(n_params, fewest)
    return world.defence.epsilon_figures([p.ledger for p in private], turn, n_params)


def run_config(options: dict) -> dict:
    """What config.json records: every option (``options``, in their order), the schema,
    library versions, the device and the oracle's seed."""
    import tensorflow as tf

    versions = {"ganleak": __version__, "tensorflow": tf.__version__,
                "keras": keras.__version__, "numpy": np.__version__, "device": run_device()}
    return {**options, "config_schema": CONFIG_SCHEMA, "versions": versions,
            "oracle_seed": ORACLE_SEED}


def _start(world: World, folder: RunFolder, resume: bool) -> tuple[int, float]:
    """(first round to play, seconds already spent): from the checkpoint when resuming and
    there is one, else a fresh run folder."""
    state = load_checkpoint(folder.root) if resume else None
    if state is None:
        folder.create(run_config(world.options))
        write_calibration(world, folder)
        return 1, 0.0
    restore_world(world, state)
    folder.keep_metrics(state["metrics_lines"])
    return state["round"] + 1, state["wall_seconds"]


def write_calibration(world: World, folder: RunFolder) -> None:
    """calibration.json: the face figures of known sample sets (faces and other small datasets
    with identity figures; see ``metrics.calibration``)."""
    if world.oracle is None:
        return
    rows = calibration_for(world.dataset, world.oracle, world.data_settings.target_class)
    if rows is not None:
        folder.write_json(CALIBRATION, rows)


def evaluation_rounds(first: int, rounds: int, evaluation: EvaluationSettings) -> list[int]:
    """The rounds from ``first`` on of a ``rounds``-round run that are evaluated: multiples of
    eval_every and the last."""
    return [r for r in range(first, rounds + 1) if evaluation.due(r, rounds)]


def evaluation_schedule(first: int, rounds: int, evaluation: EvaluationSettings) -> str:
    """'evaluating at round 3' or 'evaluating at rounds 10, 20, …, 100', as it will happen."""
    due = evaluation_rounds(first, rounds, evaluation)
    if len(due) == 1:
        return f"evaluating at round {due[0]}"
    if len(due) <= 4:
        return f"evaluating at rounds {', '.join(map(str, due))}"
    tail = due[-2:] if due[-1] % evaluation.eval_every else due[-1:]
    return f"evaluating at rounds {due[0]}, {due[1]}, …, {', '.join(map(str, tail))}"


def _checkpoint_due(run: RunSettings, evaluation: EvaluationSettings, round_no: int) -> bool:
    every = run.checkpoint_every or evaluation.eval_every
    return round_no % every == 0 and round_no < run.rounds


def _summary(head: dict, folder: RunFolder, seconds: float) -> dict:
    """summary.json: ``head`` (what ran), the last evaluation's figures, the seconds spent."""
    lines = folder.read_metrics()
    record = json.loads(lines[-1]) if lines else {}
    record.pop("round", None)
    return {**head, **record, "wall_seconds": round(seconds, 2)}


def simulate(cfg: SimConfig, reporter=None, resume: bool = False) -> dict:
    """Run the whole simulation into the run's ``out`` (a fresh folder under runs/ when None;
    with ``resume``, continue it from its last checkpoint); return (and write) the summary.
    ``reporter`` (``note``, ``round_done``, ``evaluation``; default Silent) hears the run."""
    reporter = reporter or Silent()
    cfg = cfg.with_out()
    world = build_world(cfg, reporter.note)
    run, evaluation, rounds = cfg.run, cfg.evaluation, cfg.run.rounds
    folder = RunFolder(run.out)
    first, spent = _start(world, folder, resume)
    reporter.note(f"rounds {first}-{rounds}, {evaluation_schedule(first, rounds, evaluation)}")
    tensorboard = TensorBoardLog(folder) if run.tensorboard else None
    start = time.monotonic() - spent
    for round_no in range(first, rounds + 1):
        play_round(world)
        if evaluation.due(round_no, rounds):
            record = evaluate(world, round_no, folder)
            folder.append_metrics(record)
            if tensorboard:
                tensorboard.write(record)
            reporter.evaluation(record, time.monotonic() - start)
        reporter.round_done(round_no, rounds)
        stop = round_no < rounds and reporter.stop_requested()
        if _checkpoint_due(run, evaluation, round_no) or stop:
            save_checkpoint(folder.root, world_state(world, round_no, len(folder.read_metrics()),
                                                     time.monotonic() - start))
        if stop:
            raise RunInterrupted(round_no, run.out)
    folder.write_strip()
    head = {"rounds": rounds, "seed": run.seed, "attack": cfg.attack.attack,
            "target_class": cfg.data.target_class}
    summary = _summary(head, folder, time.monotonic() - start)
    if tensorboard:
        tensorboard.close()
    folder.finish(summary)
    (folder.root / CHECKPOINT_NAME).unlink(missing_ok=True)
    return summary
