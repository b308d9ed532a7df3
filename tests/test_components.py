"""Registries and declared settings: one declaration gives the option, its range check and its
config field; defences are found by name through the entry points; a defence's own setting
given with another defence is refused, naming the setting."""

import dataclasses

import pytest

from ganleak_cli.core.components import ComponentError, Registry
from ganleak_cli.core.settings import check_field, declared, setting
from ganleak_cli.defences import DEFENCES, Defence, DefenceContext
from ganleak_cli.metrics.families import METRICS
from ganleak_cli.simulation.config import OPTION_FIELDS, SimConfig


@dataclasses.dataclass(frozen=True)
class Example:
    rate: float = setting(0.5, "A rate.", low=0.0, high=1.0, low_open=True)
    mode: str = setting("a", "A mode.", choices=("a", "b"))


@pytest.mark.parametrize("name,value,message", [
    ("rate", 0.0, "rate: must be > 0.0, got 0.0"),
    ("rate", 1.5, "rate: must be ≤ 1.0, got 1.5"),
    ("rate", float("nan"), "rate: must be a finite number"),
    ("mode", "c", "mode: must be one of a, b, got 'c'"),
])
def test_a_declared_field_checks_its_range_and_choices(name, value, message):
    field = {f.name: f for f in dataclasses.fields(Example)}[name]
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        check_field(name, value, declared(field))


def test_values_inside_the_declaration_pass():
    for field in dataclasses.fields(Example):
        check_field(field.name, field.default, declared(field))
    check_field("rate", 1.0, declared(dataclasses.fields(Example)[0]))


def test_the_built_in_defences_and_metric_families_come_from_entry_points():
    assert set(DEFENCES.names()) >= {"none", "shokri", "dpsgd"}
    assert "identity" in METRICS.names()
    with pytest.raises(ComponentError, match="defense: unknown 'nope'; registered: "):
        DEFENCES.get("nope")


def test_an_empty_group_says_how_to_register():
    with pytest.raises(ComponentError, match="no component is registered"):
        Registry("ganleak.no-such-group", "thing").names()


def test_every_defence_setting_is_a_run_config_field_with_its_default():
    fields = OPTION_FIELDS
    for defence in DEFENCES.all():
        for field in dataclasses.fields(defence.Settings):
            assert field.name in fields
            assert fields[field.name].default == field.default


def test_the_run_config_hands_a_defence_only_its_settings_and_context():
    cfg = SimConfig.from_options(defense="dpsgd", noise_multiplier=2.0, theta_u=0.5,
                                 batch_size=32)
    defence = cfg.make_defence()
    assert defence.name == "dpsgd" and defence.settings.noise_multiplier == 2.0
    assert defence.context == DefenceContext(theta_u=0.5, batch_size=32, local_steps=10,
                                             insider_classes=(5, 6, 7, 8, 9, 10), target_class=3)


@pytest.mark.parametrize("changes,message", [
    ({"defense": "dpsgd", "dp_eps": 1.0}, "dp_eps: a shokri setting cannot be used with "
                                          "--defense dpsgd"),
    ({"defense": "shokri"}, "dp_eps: the shokri defense needs"),
    ({"dp_eps": 1.0, "dp_eps_per_param": 1.0}, "dp_eps_per_param: give either"),
    ({"dp_eps": 1.0, "protocol": "fedavg"}, "protocol: fedavg exchanges whole models"),
    ({"defense": "dpsgd", "accountant": "moments"}, "accountant: must be one of rdp, pld"),
    ({"defense": "dpsgd", "l2_clip": 0.0}, "l2_clip: must be > 0.0"),
    ({"defense": "nope"}, "defense: unknown 'nope'"),
])
def test_defence_settings_are_validated_naming_the_field(changes, message):
    with pytest.raises(ValueError, match=message):
        SimConfig.from_options(**changes).with_defense().validate()


def test_a_budget_alone_selects_the_defence_that_declares_it():
    assert SimConfig.from_options(dp_eps_per_param=1.0).with_defense().defence.defense == \
        "shokri"
    assert SimConfig.from_options().with_defense().defence.defense == "none"


def test_shokri_s_per_dataset_settings_resolve_to_the_dataset():
    mnist, att = SimConfig.from_options().defence, SimConfig.from_options(dataset="att").defence
    assert (mnist.dp_gamma, mnist.dp_tau) == (0.01, 0.0001)
    assert (att.dp_gamma, att.dp_tau) == (0.002, 0.0005)


def test_the_undefended_protocol_spends_nothing():
    none = DEFENCES.get("none")()
    assert not none.applies_to(adversary=False) and Defence().applies_to(adversary=False)
    assert none.turn_ledger(100, 10) is None and none.epsilon_figures([], None, 100) == {}


def test_a_dataset_that_cannot_be_read_is_named_not_replaced_by_mnist(tmp_path):
    with pytest.raises(ValueError, match="dataset"):
        SimConfig.from_options(dataset=f"folder:{tmp_path / 'missing'}")
    # classes given: nothing needs reading, the dataset's own defaults still apply
    cfg = SimConfig.from_options(dataset="att", victim_classes=(0, 1), adversary_classes=(2,),
                                 target_class=0)
    assert cfg.run.rounds == 1000 and cfg.defence.dp_gamma == 0.002


def test_a_setting_declared_by_two_components_is_refused(monkeypatch):
    from ganleak_cli.simulation import config

    @dataclasses.dataclass(frozen=True)
    class Clash:
        noise_multiplier: float = setting(1.0, "Twice.", low=0.0)

    class Other(Defence):
        name = "other"
        Settings = Clash

    monkeypatch.setattr(DEFENCES, "_components", {**DEFENCES._load(), "other": Other})
    with pytest.raises(ComponentError, match="noise_multiplier: declared by 'dpsgd' and 'other'"):
        config.component_fields()


def test_datasets_are_registered_components():
    """The built-in datasets come from the ganleak.datasets entry points, each a DatasetSource
    whose own defaults and classes the run config takes."""
    from ganleak_cli.data import DatasetSource, dataset_names, dataset_source, own_defaults
    from ganleak_cli.simulation.config import SimConfig

    assert dataset_names() == ("att", "cifar10", "mnist")
    assert all(isinstance(dataset_source(name), DatasetSource) for name in dataset_names())
    assert own_defaults("att")["rounds"] == 1000 and own_defaults("mnist") == {}
    att = SimConfig.from_options(dataset="att")
    assert (att.run.rounds, att.data.target_class, att.data.victim_classes) == \
        (1000, 7, tuple(range(20)))
    with pytest.raises(ValueError, match="dataset: unknown dataset 'pets'; known: att, cifar10, "
                                         "mnist, folder:PATH"):
        dataset_source("pets")


def test_protocol_settings_are_options_of_their_protocol():
    from ganleak_cli.simulation.config import SimConfig

    with pytest.raises(ValueError, match="order: a dssgd setting; it needs --protocol dssgd"):
        SimConfig.from_options(protocol="fedavg", order="random").validate()
    assert SimConfig.from_options(protocol="fedavg", clients_per_round=2,
                                  victims=2).make_protocol().name == "fedavg"
