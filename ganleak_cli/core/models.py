"""The paper's CNNs and DCGAN generators, built from the dataset's image shape."""

from __future__ import annotations

import keras
from keras import layers

LATENT_DIM = 100


FACE_MIN_SIDE = 64  # images this large (AT&T faces) get the paper's three-block face CNN
FACE_FILTERS = (32, 64, 128)
FACE_DENSE = 256


def build_classifier(image_shape, n_outputs: int, name: str = "classifier") -> keras.Model:
    """The paper's CNN for the image size: the face CNN from ``FACE_MIN_SIDE`` pixels on,
    else the MNIST CNN; ``n_outputs`` = the dataset's classes plus the artificial class."""
    if image_shape[0] >= FACE_MIN_SIDE:
        return build_face_classifier(image_shape, n_outputs, name)
    return build_digit_classifier(image_shape, n_outputs, name)


def build_face_classifier(image_shape, n_outputs: int, name: str = "classifier") -> keras.Model:
    """Hitaj et al.'s AT&T CNN: three blocks of conv 5×5 tanh (32, 64, 128 filters, same
    padding) + maxpool 2, then dense ``FACE_DENSE`` tanh → ``n_outputs`` logits."""
    model = keras.Sequential([keras.Input(shape=tuple(image_shape))], name=name)
    for filters in FACE_FILTERS:
        model.add(layers.Conv2D(filters, 5, padding="same", activation="tanh"))
        model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    model.add(layers.Dense(FACE_DENSE, activation="tanh"))
    model.add(layers.Dense(n_outputs))
    return model


def build_digit_classifier(image_shape, n_outputs: int, name: str = "classifier") -> keras.Model:
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


def base_side(side: int) -> tuple[int, int]:
    """Smallest side (≥ 4) the generator starts from, and how many ×2 upsamplings reach ``side``."""
    stages = 0
    while side % 2 == 0 and side // 2 >= 4:
        side //= 2
        stages += 1
    if stages == 0:
        raise ValueError(f"image size: {side} cannot be reached by ×2 upsampling from ≥ 4")
    return side, stages


def _doubling(filters: int, upsample: str, activation=None, use_bias=False) -> list:
    """Layers that double the side: a 5×5 transposed convolution of stride 2 (DCGAN), or
    (``resize``) nearest-neighbour ×2 then a 5×5 convolution, which cannot leave the
    checkerboard pattern of overlapping strides (Odena, Dumoulin and Olah, Distill 2016)."""
    if upsample == "resize":
        return [layers.UpSampling2D(2, interpolation="nearest"),
                layers.Conv2D(filters, 5, padding="same", activation=activation,
                              use_bias=use_bias)]
    return [layers.Conv2DTranspose(filters, 5, strides=2, padding="same", activation=activation,
                                   use_bias=use_bias)]


def build_generator(image_shape, latent_dim: int = LATENT_DIM, width: int = 128,
                    name: str = "generator", upsample: str = "transpose") -> keras.Model:
    """A DCGAN generator: dense projection, then ×2 upsamplings (``_doubling``) with batch norm
    and ReLU, halving the width each time, and a tanh output of ``image_shape`` (values in
    [−1, 1])."""
    height, _, channels = image_shape
    base, stages = base_side(height)
    model = keras.Sequential([keras.Input(shape=(latent_dim,)),
                              layers.Dense(base * base * width * 2, use_bias=False),
                              layers.BatchNormalization(momentum=0.8),
                              layers.ReLU(),
                              layers.Reshape((base, base, width * 2))], name=name)
    for stage in range(stages - 1):
        for layer in _doubling(max(width >> stage, 32), upsample):
            model.add(layer)
        model.add(layers.BatchNormalization(momentum=0.8))
        model.add(layers.ReLU())
    for layer in _doubling(channels, upsample, activation="tanh", use_bias=True):
        model.add(layer)
    return model
