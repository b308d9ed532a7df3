"""The paper's CNNs and DCGAN generators, built from the dataset's image shape."""

from __future__ import annotations

import keras
from keras import layers

LATENT_DIM = 100


def build_classifier(image_shape, n_outputs: int, name: str = "classifier") -> keras.Model:
    """Hitaj et al.'s MNIST CNN: conv 32@5×5 tanh → maxpool 3 → conv 64@5×5 tanh → maxpool 2 →
    dense 200 tanh → ``n_outputs`` logits (the dataset's classes plus the artificial class)."""
    return keras.Sequential([
        keras.Input(shape=tuple(image_shape)),
        layers.Conv2D(32, 5, activation="tanh"),
        layers.MaxPooling2D(3),
        layers.Conv2D(64, 5, activation="tanh"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(200, activation="tanh"),
        layers.Dense(n_outputs),
    ], name=name)


def _base_side(side: int) -> tuple[int, int]:
    """Smallest side (≥ 4) the generator starts from, and how many ×2 upsamplings reach ``side``."""
    stages = 0
    while side % 2 == 0 and side // 2 >= 4:
        side //= 2
        stages += 1
    if stages == 0:
        raise ValueError(f"image size: {side} cannot be reached by ×2 upsampling from ≥ 4")
    return side, stages


def build_generator(image_shape, latent_dim: int = LATENT_DIM, width: int = 128,
                    name: str = "generator") -> keras.Model:
    """A DCGAN generator: dense projection, then ×2 transposed convolutions with batch norm and
    ReLU, halving the width each time, and a tanh output of ``image_shape`` (values in [−1, 1])."""
    height, _, channels = image_shape
    base, stages = _base_side(height)
    model = keras.Sequential([keras.Input(shape=(latent_dim,)),
                              layers.Dense(base * base * width * 2, use_bias=False),
                              layers.BatchNormalization(momentum=0.8),
                              layers.ReLU(),
                              layers.Reshape((base, base, width * 2))], name=name)
    for stage in range(stages - 1):
        model.add(layers.Conv2DTranspose(max(width >> stage, 32), 5, strides=2, padding="same",
                                         use_bias=False))
        model.add(layers.BatchNormalization(momentum=0.8))
        model.add(layers.ReLU())
    model.add(layers.Conv2DTranspose(channels, 5, strides=2, padding="same", activation="tanh"))
    return model
