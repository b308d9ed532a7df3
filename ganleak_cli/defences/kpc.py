"""Key-protected classification (Sariyildiz, Cinbis and Ayday, Pattern Recognition 2020).

The shared model ends in an embedding of ``--kpc-dim`` dimensions, compared by cosine with a
fixed key per class (a random unit vector). Each participant draws the keys of its own classes
and keeps them private: only the network below the keys is shared (the keys are not trainable,
so they never travel with the uploads). Each participant trains on the cosine distance to its
own records' keys alone (1 − cos(embedding, key of the label)), so it needs no one else's key.
The insider holds the keys of its own classes and of its artificial class, not the victims':
its discriminator scores the target against a key of its own (``guess``, the defence's setting)
or, as the worst case the paper discusses, against the victim's leaked key (``leaked``).
The model's accuracy is read against every participant's keys together.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from ganleak_cli.core.settings import setting
from ganleak_cli.defences import Defence

INSIDER_KEYS = ("guess", "leaked")


@dataclass(frozen=True)
class KpcSettings:
    """Key dimension and what the insider knows of the target's key."""

    kpc_dim: int = setting(
        1024, "KPC: dimension of the private class keys (the model's embedding).", low=2)
    kpc_insider_key: str = setting(
        "guess", "KPC: the key the insider aims its generator at: guess (a random key of its own: "
                 "it does not hold the victim's) or leaked (the victim's own key: the worst "
                 "case).", choices=INSIDER_KEYS)


def unit_keys(rng, dim: int, count: int):
    """``count`` random unit vectors of ``dim`` dimensions, as the columns of a matrix."""
    import numpy as np

    keys = rng.standard_normal((dim, count)).astype(np.float32)
    return keys / np.linalg.norm(keys, axis=0, keepdims=True)


def key_scores(keys):
    """A Keras layer scoring unit embeddings by cosine against fixed class keys (the columns of
    ``keys``). The keys are not trainable, so they never travel with the shared weights. (The
    class is made here so that this module imports no Keras until a model is built.)"""
    import keras

    class KeyScores(keras.layers.Layer):
        def build(self, input_shape):
            self.keys = self.add_weight(shape=keys.shape, name="keys", trainable=False,
                                        initializer=keras.initializers.Constant(keys))

        def call(self, embeddings):
            return keras.ops.matmul(embeddings, self.keys)

    return KeyScores(name="key_scores")


def key_classifier(image_shape, keys):
    """The paper's CNN for the image size with a key-protected head instead of its last dense
    layer: dense to the keys' dimension, layer norm, ReLU, unit length, cosine against each
    class key (``keys``: dimension × classes)."""
    import keras

    from ganleak_cli.core.models import build_classifier

    trunk = build_classifier(image_shape, 1)
    layers = keras.layers
    return keras.Sequential([keras.Input(shape=tuple(image_shape)), *trunk.layers[:-1],
                             layers.Dense(keys.shape[0]), layers.LayerNormalization(),
                             layers.ReLU(), layers.UnitNormalization(), key_scores(keys)],
                            name="classifier")


def key_distance(labels, scores):
    """Mean cosine distance to each record's own key (KPC's loss): 1 − scores[i, labels[i]]."""
    import tensorflow as tf

    own = tf.gather(scores, tf.cast(tf.reshape(labels, [-1]), tf.int32), axis=1, batch_dims=1)
    return tf.reduce_mean(1.0 - own)


class KpcDefence(Defence):
    """Private class keys: the insider cannot aim at a class whose key it does not hold."""

    name = "kpc"
    summary = "key-protected classification: private class keys (Sariyildiz et al.)"
    Settings = KpcSettings

    def validate(self) -> None:
        """DSSGD or FedAvg alike; nothing to check beyond the declared ranges."""

    def build_model(self, image_shape, n_outputs: int, seed: int):
        """The paper's CNN with a key-protected head; the true keys drawn from ``seed``, then
        the insider's own guesses for the classes it does not hold."""
        import numpy as np

        rng = np.random.default_rng(seed)
        keys = unit_keys(rng, self.settings.kpc_dim, n_outputs)
        self.insider_keys = self._insider_keys(keys, unit_keys(rng, keys.shape[0], n_outputs))
        return key_classifier(image_shape, keys)

    def _insider_keys(self, keys, guesses):
        """The key matrix the insider holds: its own classes' keys, its guesses for the rest
        (the target's true key when ``leaked``)."""
        held = list(self.context.insider_classes)
        if self.settings.kpc_insider_key == "leaked":
            held.append(self.context.target_class)
        mine = guesses.copy()
        mine[:, held] = keys[:, held]
        return mine

    def loss(self):
        """Cosine distance to the record's own key."""
        return key_distance

    def insider_view(self, model):
        """During the insider's turn the model scores against the insider's keys."""
        layer = model.layers[-1]

        @contextlib.contextmanager
        def view():
            true = layer.keys.numpy()
            layer.keys.assign(self.insider_keys)
            try:
                yield
            finally:
                layer.keys.assign(true)
        return view
