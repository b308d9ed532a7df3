"""The oracle is a fixed instrument: a fresh cache trains the same weights again, and whether it
was cached or trained cannot change the run it scores. Tiny synthetic PNG classes."""

import json

import numpy as np
from synthetic_images import png_classes

from ganleak_cli.simulation.config import SimConfig


def _oracle_weights(data, cache, monkeypatch):
    from ganleak_cli.metrics import oracle as oracle_module
    from ganleak_cli.metrics.oracle import Oracle

    monkeypatch.setenv("GANLEAK_CACHE_DIR", str(cache))
    monkeypatch.setattr(oracle_module, "ENSEMBLE", 1)   # each member trains alike: one will do
    oracle = Oracle.for_data(data.name, data.x_test, data.y_test, data.num_classes, epochs=1)
    return [np.array(w) for w in oracle.model.get_weights()]


def test_fresh_caches_train_identical_oracles_and_restore_the_setting(tmp_path, monkeypatch):
    from tensorflow.python.framework import config as tf_config

    from ganleak_cli.data import load_dataset

    data = load_dataset(f"folder:{png_classes(tmp_path / 'imgs')}", image_size=28)
    tf_config.disable_op_determinism()
    first = _oracle_weights(data, tmp_path / "cache1", monkeypatch)
    assert not tf_config.is_op_determinism_enabled()
    second = _oracle_weights(data, tmp_path / "cache2", monkeypatch)
    assert len(first) == len(second) > 0
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert list((tmp_path / "cache1" / "oracles").glob("*-v3-aug-*.weights.h5"))


def _tiny_run(root, cache, out, monkeypatch):
    from ganleak_cli.simulation.runner import simulate

    monkeypatch.setenv("GANLEAK_CACHE_DIR", str(cache))
    cfg = SimConfig.from_options(
        dataset=f"folder:{root}", image_size=28, rounds=2, eval_every=1, victim_classes=(0, 1),
        adversary_classes=(2, 3), target_class=0, local_steps=2, batch_size=4, gen_steps=1,
        gen_batch=8, fakes_per_turn=8, eval_samples=64, out=str(out))
    simulate(cfg)
    return (out / "metrics.jsonl").read_text(), (out / "samples" / "round_0002.npz").read_bytes()


def test_a_cached_oracle_and_a_freshly_trained_one_give_the_same_run(tmp_path, monkeypatch):
    """Training the oracle reseeds the global RNGs; the run must be seeded after it."""
    from ganleak_cli.metrics import oracle as oracle_module
    monkeypatch.setattr(oracle_module, "ENSEMBLE", 1)   # each member trains alike: one will do
    root = png_classes(tmp_path / "imgs")
    trained = _tiny_run(root, tmp_path / "cache", tmp_path / "first", monkeypatch)
    cached = _tiny_run(root, tmp_path / "cache", tmp_path / "second", monkeypatch)
    assert trained == cached
    assert json.loads(trained[0].splitlines()[-1])["round"] == 2


def test_the_first_cached_oracle_wins_and_no_temporary_file_is_left(tmp_path):
    """Two runs that trained the oracle at once (a sweep on a fresh cache): the second finds the
    first's file and must score with it, not replace it — runs sharing a cache share one
    oracle (its figures, e.g. fid_oracle, then agree between executors)."""
    from ganleak_cli.metrics.oracle import publish

    path = tmp_path / "mnist.weights.h5"
    first, second = tmp_path / "a.tmp1.weights.h5", tmp_path / "a.tmp2.weights.h5"
    first.write_bytes(b"first")
    second.write_bytes(b"second")
    assert publish(first, path) is True
    assert publish(second, path) is False
    assert path.read_bytes() == b"first"
    assert not first.exists() and not second.exists()


def test_a_member_two_processes_need_at_once_is_trained_once(tmp_path, monkeypatch):
    """Sweep jobs and test workers that need the same uncached member: one trains it while
    the other waits for the lock, then loads what the first cached."""
    import threading
    import time

    from ganleak_cli.metrics import oracle as oracle_module

    monkeypatch.setenv("GANLEAK_CACHE_DIR", str(tmp_path / "cache"))
    trained = []

    def slow_training(images, labels, num_classes, epochs, seed):
        trained.append(seed)
        time.sleep(1.0)   # long enough for the other thread to reach the lock
        return oracle_module.build_oracle(images.shape[1:], num_classes)

    monkeypatch.setattr(oracle_module, "train_oracle", slow_training)
    images = np.zeros((20, 12, 12, 1), np.uint8)
    labels = np.repeat(np.arange(2), 10)
    models = []

    def need():
        models.append(oracle_module._member("tiny", images, labels, 2, 1, 1234))

    threads = [threading.Thread(target=need) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert trained == [1234] and len(models) == 2
    for a, b in zip(*(m.get_weights() for m in models)):
        np.testing.assert_array_equal(a, b)
    assert [p.suffix for p in (tmp_path / "cache" / "oracles").iterdir()] == [".h5"]
