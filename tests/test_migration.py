"""config.json's layout is versioned: a run folder written before the version existed (schema 1,
tests/data/run_schema1: the Shokri golden run written by ganleak at 1c7cb9f) still resumes and
reads; a layout newer than this ganleak is refused, naming the file."""

import json
import shutil
from pathlib import Path

import pytest
from cli_runs import invoke

from ganleak_cli.cli.commands.resume import read_run_config
from ganleak_cli.simulation.api import Run
from ganleak_cli.simulation.config import CONFIG_SCHEMA, SimConfig, migrate_config

OLD_RUN = Path(__file__).parent / "data" / "run_schema1"


@pytest.fixture
def old_run(tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(OLD_RUN, folder)
    return folder


def test_a_schema_1_config_migrates_to_the_current_layout():
    recorded = json.loads((OLD_RUN / "config.json").read_text())
    assert "config_schema" not in recorded
    migrated = migrate_config(recorded)
    assert migrated["config_schema"] == CONFIG_SCHEMA
    assert {k: v for k, v in migrated.items() if k != "config_schema"} == recorded


def test_the_old_run_s_options_build_the_same_run_config(old_run):
    values = read_run_config(old_run)
    cfg = SimConfig.from_options(**values).with_defense()
    assert (cfg.defence.defense, cfg.defence.dp_eps_per_param, cfg.exchange.theta_u) == \
        ("shokri", 100.0, 0.1)
    assert cfg.make_defence().upload_budget(1000)[1] == 100


def test_the_old_finished_run_resumes_as_finished(old_run):
    result = invoke(["simulate", "--resume", str(old_run), "--json"])
    assert result.exit_code == 0, result.output
    assert "already finished" in result.stderr
    assert json.loads(result.stdout)["epsilon_total"] == Run(old_run).summary["epsilon_total"]


def test_the_old_run_reads_through_the_api(old_run):
    run = Run(old_run)
    assert run.rounds == [3] and run.metrics[-1]["defense"] == "shokri"


@pytest.mark.parametrize("schema", [CONFIG_SCHEMA + 1, "2", 0])
def test_an_unknown_layout_is_a_usage_error_naming_the_file(old_run, schema):
    config = json.loads((old_run / "config.json").read_text())
    (old_run / "config.json").write_text(json.dumps({**config, "config_schema": schema}))
    result = invoke(["simulate", "--resume", str(old_run)])
    assert result.exit_code == 2
    assert "config.json: config_schema:" in result.output and "Traceback" not in result.output
