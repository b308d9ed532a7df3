"""What the machine offers a run: library versions, the devices TensorFlow sees, threads, and
the data and cache folders. ``ganleak doctor`` prints it; config.json records the device."""

from __future__ import annotations

import os
import platform

import numpy as np

from ganleak_cli import __version__


def devices() -> list[str]:
    """The devices TensorFlow will use, e.g. ``['CPU']`` or ``['CPU', 'GPU: NVIDIA H200']``."""
    import tensorflow as tf

    out = []
    for device in tf.config.list_physical_devices():
        name = device.device_type
        if name == "GPU":
            details = tf.config.experimental.get_device_details(device)
            name += f": {details.get('device_name', device.name)}"
        out.append(name)
    return out


def run_device() -> str:
    """The device a run computes on: the first GPU TensorFlow sees, else ``CPU``."""
    gpus = [d for d in devices() if d.startswith("GPU")]
    return gpus[0] if gpus else "CPU"


def versions() -> dict:
    """Python and the libraries a run depends on."""
    import keras
    import tensorflow as tf

    return {"ganleak": __version__, "python": platform.python_version(),
            "tensorflow": tf.__version__, "keras": keras.__version__, "numpy": np.__version__}


def threads() -> dict:
    """CPU cores and TensorFlow's thread pools (0 means TensorFlow picks)."""
    import tensorflow as tf

    return {"cpu_count": os.cpu_count(),
            "intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
            "inter_op": tf.config.threading.get_inter_op_parallelism_threads()}
