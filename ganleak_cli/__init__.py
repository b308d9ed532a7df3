"""ganleak: simulate collaborative deep learning with a GAN insider and measure the leakage."""

__version__ = "0.1.0"
