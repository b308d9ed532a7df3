"""Local SGD on the one shared Keras model: every participant reuses it, swapping flat weights."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from ganleak_cli.protocol.flat import FlatWeights, load_variables_state, variables_state


class LocalTrainer:
    """A compiled training loop (plain SGD; cross-entropy on logits unless the defence gives
    another ``loss_fn(labels, outputs)``) over a stack of batches.

    Plain SGD keeps no optimiser state, so one trainer serves every participant as in DSSGD.
    """

    def __init__(self, model: keras.Model, learning_rate: float, loss_fn=None):
        self.model = model
        self.flat = FlatWeights(model)
        self.optimizer = keras.optimizers.SGD(learning_rate=learning_rate)
        self.optimizer.build(model.trainable_variables)
        self.loss_fn = loss_fn or keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        self._train = tf.function(self._train_batches, reduce_retracing=True)

    def loss_and_gradients(self, x, y):
        """The batch's mean loss and the gradients one step applies (subclasses privatise them)."""
        with tf.GradientTape() as tape:
            loss = self.loss_fn(y, self.model(x, training=True))
        return loss, tape.gradient(loss, self.model.trainable_variables)

    def _train_batches(self, xb, yb):
        total = tf.constant(0.0)
        steps = tf.shape(xb)[0]
        for i in tf.range(steps):
            loss, grads = self.loss_and_gradients(xb[i], yb[i])
            self.optimizer.apply(grads, self.model.trainable_variables)
            total += loss
        return total / tf.cast(steps, tf.float32)

    def step_event(self, sampling_rate: float):
        """The DP event of one training step: None, plain SGD releases nothing private."""
        return None

    def state_dict(self) -> dict:
        """The optimiser's variables (the model's weights travel with the participants)."""
        return {"optimizer": variables_state(self.optimizer.variables)}

    def load_state_dict(self, state: dict) -> None:
        """Restore what ``state_dict`` returned."""
        load_variables_state(self.optimizer.variables, state["optimizer"])

    def train(self, xb: np.ndarray, yb: np.ndarray) -> float:
        """Run one SGD step per batch of ``xb`` (steps × batch × H × W × C); mean loss."""
        if len(xb) == 0:
            return float("nan")
        return float(self._train(tf.convert_to_tensor(xb), tf.convert_to_tensor(yb)))
