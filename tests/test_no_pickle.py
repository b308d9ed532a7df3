"""No pickle on any input path: no pickle import, every np.load refuses pickled objects."""

import re
from pathlib import Path

import numpy as np
import pytest

from ganleak_cli.runfolder.checkpoint import load_checkpoint

SOURCES = sorted((Path(__file__).resolve().parents[1] / "ganleak_cli").rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_source_never_unpickles(path):
    text = path.read_text()
    assert not re.search(r"^\s*(import|from)\s+(pickle|cPickle|dill|yaml)\b", text, re.M)
    assert "allow_pickle=True" not in text
    for call in re.findall(r"np\.load\([^)]*\)", text):
        assert "allow_pickle=False" in call, call


def test_a_checkpoint_holding_a_pickled_object_is_refused(tmp_path):
    np.savez(tmp_path / "checkpoint.npz", __meta__=np.array({"evil": 1}, dtype=object))
    with pytest.raises(Exception, match="unreadable checkpoint"):
        load_checkpoint(tmp_path)
