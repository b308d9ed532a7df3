"""``ganleak privacy``: ε figures of a configuration without training, and the privacy options'
usage errors (shared with ``simulate``)."""

import json
import re

import pytest
from cli_runs import invoke, plan
from click.testing import CliRunner

from ganleak_cli.cli.main import main
from ganleak_cli.privacy.accounting import Ledger, dpsgd_event, laplace_event

N_PARAMS = 105707


def test_shokri_per_param_budget_default_rounds():
    out = plan("--dp-eps-per-param", "100", "--theta-u", "0.1")
    assert out["defense"] == "shokri"
    assert out["parameters"] == N_PARAMS
    assert out["released_per_upload"] == 10571
    assert out["epsilon_per_param"] == pytest.approx(100)
    assert out["epsilon_nominal"] == pytest.approx(100 * 10571)
    assert out["accountant"] == "basic"
    assert out["rounds"] == 100
    assert out["epsilon_total"] == pytest.approx(100 * 100 * 10571)
    assert out["epsilon_round"] == pytest.approx(100 * 10571)
    assert out["delta"] == pytest.approx(1e-5)


def test_shokri_per_param_budget_rounds_multiply():
    out = plan("--dp-eps-per-param", "100", "--theta-u", "0.1", "--rounds", "7")
    assert out["rounds"] == 7
    assert out["accountant"] == "basic"
    assert out["epsilon_total"] == pytest.approx(7 * out["epsilon_nominal"])
    assert out["epsilon_total"] == pytest.approx(7 * 100 * 10571)


@pytest.mark.parametrize("theta_u,c", [("1", 105707), ("0.1", 10571), ("0.01", 1058)])
def test_released_per_upload_is_ceil_theta_u_times_params(theta_u, c):
    out = plan("--dp-eps-per-param", "100", "--theta-u", theta_u)
    assert out["released_per_upload"] == c
    assert out["epsilon_nominal"] == pytest.approx(100 * c)
    assert out["epsilon_per_param"] == pytest.approx(100)


def test_shokri_total_budget_composes_under_delta():
    out = plan("--dp-eps", "0.1", "--rounds", "50")
    assert out["defense"] == "shokri"
    assert out["accountant"] == "pld"
    assert out["epsilon_nominal"] == pytest.approx(0.1)
    assert out["epsilon_per_param"] == pytest.approx(0.1 / N_PARAMS)
    assert out["released_per_upload"] == N_PARAMS
    assert 0.1 < out["epsilon_total"] < 50 * 0.1
    assert out["epsilon_round"] == pytest.approx(0.1, rel=1e-2)


def test_explicit_shokri_defense_with_budget():
    out = plan("--defense", "shokri", "--dp-eps", "2", "--rounds", "3")
    assert out["defense"] == "shokri"
    assert out["epsilon_nominal"] == pytest.approx(2.0)
    assert out["epsilon_total"] <= 3 * 2.0 + 1e-9


@pytest.mark.parametrize("accountant", [None, "rdp", "pld"])
def test_dpsgd_plan(accountant):
    args = ["--defense", "dpsgd"] + (["--accountant", accountant] if accountant else [])
    out = plan(*args)
    assert out["defense"] == "dpsgd"
    assert out["accountant"] == (accountant or "rdp")
    assert out["epsilon_total"] > 0
    assert out["epsilon_per_param"] is None
    assert 0 < out["epsilon_round"] <= out["epsilon_total"]
    assert out["parameters"] == N_PARAMS


def test_dpsgd_more_noise_spends_less():
    loud = plan("--defense", "dpsgd", "--noise-multiplier", "2")
    quiet = plan("--defense", "dpsgd", "--noise-multiplier", "0.8")
    assert loud["epsilon_total"] < quiet["epsilon_total"]


def test_human_output_for_shokri():
    result = invoke(["privacy", "--dp-eps-per-param", "100", "--theta-u", "0.1"])
    assert result.exit_code == 0, result.output
    assert "10571" in result.stdout
    assert "basic" in result.stdout


def test_no_defense_says_nothing_is_spent():
    result = invoke(["privacy"])
    assert result.exit_code == 0, result.output
    assert "nothing" in result.stdout
    assert "no ε is spent" in result.stdout


def test_no_defense_json_has_no_epsilon():
    out = plan()
    assert out["defense"] == "none"
    assert "epsilon_total" not in out


BAD_PRIVACY = [
    (["--dp-eps", "1", "--dp-eps-per-param", "1"], "--dp-eps-per-param"),
    (["--dp-eps", "0"], "--dp-eps"),
    (["--dp-eps", "-1"], "--dp-eps"),
    (["--dp-eps-per-param", "0"], "--dp-eps-per-param"),
    (["--defense", "shokri"], "--dp-eps"),
    (["--defense", "dpsgd", "--dp-eps", "1"], "--dp-eps"),
    (["--defense", "dpsgd", "--dp-eps-per-param", "1"], "--dp-eps-per-param"),
    (["--dp-delta", "1"], "--dp-delta"),
    (["--dp-delta", "0"], "--dp-delta"),
    (["--noise-multiplier", "0"], "--noise-multiplier"),
    (["--l2-clip", "-1"], "--l2-clip"),
    (["--dp-gamma", "0"], "--dp-gamma"),
    (["--dp-tau", "-0.1"], "--dp-tau"),
    (["--accountant", "moments"], "--accountant"),
    (["--defense", "laplace"], "--defense"),
]


def check_usage_error(result, named):
    """Exit 2, and the error line names exactly that option (not a longer one it prefixes)."""
    assert result.exit_code == 2, result.output
    assert re.search(rf"Invalid value for '?{re.escape(named)}'?:", result.output), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("args,named", BAD_PRIVACY)
def test_privacy_usage_errors(args, named):
    check_usage_error(invoke(["privacy", *args]), named)


@pytest.mark.parametrize("args,named", BAD_PRIVACY)
def test_simulate_usage_errors_create_no_folder(args, named, tmp_path):
    out = tmp_path / "run"
    check_usage_error(invoke(["simulate", *args, "--out", str(out)]), named)
    assert not out.exists()


@pytest.mark.parametrize("flag", ["--out", "--overwrite", "--seed", "--lr", "--gen-tv",
                                  "--target-class", "--attack", "--eval-every", "--resume"])
def test_privacy_offers_only_privacy_options(flag):
    assert flag not in invoke(["privacy", "--help"]).output
    result = invoke(["privacy", flag, "1"])
    assert result.exit_code == 2
    assert re.search(rf"No such option:? '?{flag}\b", result.output), result.output


def test_privacy_reads_a_runs_config_json_and_ignores_what_it_does_not_use(tmp_path):
    """A simulate configuration's other keys are checked, then ignored; the victims' classes
    alone set the share (no adversary classes or target to reconcile)."""
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"out": "runs/x", "seed": 4, "lr": 0.3, "target-class": 9,
                                  "adversary-classes": [5, 6], "dp-eps": 1.0, "rounds": 3}))
    figures = plan("--config", str(config))
    assert figures["epsilon_nominal"] == pytest.approx(1.0) and figures["rounds"] == 3
    wide = plan("--victim-classes", "0-9", "--dp-eps", "1")
    narrow = plan("--victim-classes", "0-4", "--dp-eps", "1")
    assert wide["records_per_victim"] > narrow["records_per_victim"]
    config.write_text(json.dumps({"lr": "fast"}))
    result = invoke(["privacy", "--config", str(config)])
    assert result.exit_code == 2 and "key 'lr'" in result.output


def test_budget_from_the_environment_selects_shokri():
    result = CliRunner().invoke(main, ["privacy", "--json"], env={"GANLEAK_DP_EPS": "0.5"})
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["defense"] == "shokri"
    assert out["epsilon_nominal"] == pytest.approx(0.5)


def test_plan_matches_a_ledger_of_the_same_events():
    """The plan composes rounds Shokri uploads per participant, and rounds·local_steps DP-SGD
    steps at q = batch / records of the smallest victim share."""
    shokri = plan("--dp-eps", "0.1", "--rounds", "50")
    ledger = Ledger()
    ledger.record(laplace_event(0.1), 50)
    assert shokri["epsilon_total"] == pytest.approx(ledger.epsilon(1e-5, "rdp")[0], rel=1e-9)

    dpsgd = plan("--defense", "dpsgd", "--rounds", "20", "--local-steps", "5",
                 "--batch-size", "32", "--noise-multiplier", "1.2", "--victims", "2")
    records = dpsgd["records_per_victim"]
    assert records > 32
    for turns, key in ((20, "epsilon_total"), (1, "epsilon_round")):
        ledger = Ledger()
        ledger.record(dpsgd_event(1.2, 32 / records), turns * 5)
        assert dpsgd[key] == pytest.approx(ledger.epsilon(1e-5, "rdp")[0], rel=1e-9)


def test_human_output_for_dpsgd():
    result = invoke(["privacy", "--defense", "dpsgd"])
    assert result.exit_code == 0, result.output
    assert "dpsgd" in result.stdout
    assert "rdp" in result.stdout
