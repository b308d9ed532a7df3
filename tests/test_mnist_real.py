"""Loads the real MNIST files from GANLEAK_DATA_DIR (skipped when it is not available)."""

import numpy as np

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def test_train_images_shape_and_dtype(mnist):
    assert mnist.x_train.shape == (60000, 28, 28, 1)
    assert mnist.x_train.dtype == np.uint8
    assert mnist.image_shape == (28, 28, 1)


def test_test_images_shape(mnist):
    assert mnist.x_test.shape == (10000, 28, 28, 1)
    assert mnist.y_test.shape == (10000,)


def test_train_label_counts(mnist):
    assert np.bincount(mnist.y_train, minlength=10).tolist() == TRAIN_COUNTS
    assert mnist.num_classes == 10
