"""``--tensorboard``: TensorBoard event files under RUN_DIR/tensorboard/, one step per evaluation.

Scalars: every numeric value of a metrics record (nested dicts flattened, e.g.
``accuracy_per_class/3``, ``participant_loss/victim0``) at step = round. Image: the grid of the
samples written for that round (``samples/round_NNNN.npz``). The log mirrors metrics.jsonl:
opening it (e.g. when a run resumes) rewrites it from the records already there, so rounds a
resume plays again are not logged twice. (Named ``tboard`` so that it never shadows the
``tensorboard`` package.)
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ganleak_cli.core.tables import numeric_leaves
from ganleak_cli.runfolder.artifacts import RunFolder, tile

LOG_DIR = "tensorboard"
IMAGE_TAG = "samples/grid"
EVENT_GLOB = "events.out.tfevents.*"
SCALARS = ("scalars", 1)  # (plugin name, summary_pb2.DATA_CLASS_SCALAR)
IMAGES = ("images", 3)  # (plugin name, summary_pb2.DATA_CLASS_BLOB_SEQUENCE)


def flatten(record: dict, prefix: str = "") -> dict[str, float]:
    """Numeric leaves of ``record`` as {tag: value}; nested keys joined with ``/``. ``round``
    (the step), strings, booleans and None are left out."""
    return {tag: float(value) for tag, value in numeric_leaves(record, prefix).items()
            if tag != "round"}


def sample_grid(images: np.ndarray, count: int = 64) -> np.ndarray:
    """uint8 N×H×W[×C] samples → one 1×H'×W'×C grid image of the first ``count``."""
    images = np.asarray(images[:count], np.uint8)
    if images.ndim == 3:
        images = images[..., None]
    grid = tile(images)
    return (grid[..., None] if grid.ndim == 2 else grid)[None]


def read_samples(root: Path, round_no: int) -> np.ndarray | None:
    """The uint8 samples saved for ``round_no`` (None when that round wrote none)."""
    path = root / "samples" / f"round_{round_no:04d}.npz"
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as npz:
        return npz["images"]


def _metadata(kind: tuple[str, int]):
    """SummaryMetadata of TensorBoard's scalars or images plugin (their version-0 payload is
    empty), so that TensorFlow alone writes what TensorBoard reads; ``tf.summary.scalar`` and
    ``tf.summary.image`` would need the tensorboard package installed."""
    from tensorflow.core.framework import summary_pb2

    plugin, data_class = kind
    return summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name=plugin),
        data_class=data_class)


def _image_tensor(grid: np.ndarray):
    """The images plugin's layout: [width, height, PNG bytes] as one string tensor."""
    import tensorflow as tf

    _, height, width, _ = grid.shape
    png = tf.io.encode_png(grid[0]).numpy()
    return tf.constant([str(width).encode(), str(height).encode(), png])


class TensorBoardLog:
    """Writes a run folder's evaluations as TensorBoard events (TensorFlow imported lazily)."""

    def __init__(self, folder: RunFolder):
        self.root = Path(folder.root)
        self.logdir = self.root / LOG_DIR
        self._writer = None
        self._rebuild(folder)

    def _rebuild(self, folder: RunFolder) -> None:
        """Drop earlier event files and log again the records metrics.jsonl already holds."""
        for old in self.logdir.glob(EVENT_GLOB):
            old.unlink()
        for line in folder.read_metrics():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            self.write(record)

    def writer(self):
        """The summary writer (created on first use)."""
        if self._writer is None:
            import tensorflow as tf

            self.logdir.mkdir(parents=True, exist_ok=True)
            self._writer = tf.summary.create_file_writer(str(self.logdir))
        return self._writer

    def write(self, record: dict, samples: np.ndarray | None = None) -> None:
        """Log one evaluation at step = ``record['round']``: its numeric metrics and the grid
        of ``samples`` (uint8 N×H×W[×C]; by default those saved for that round, if any)."""
        import tensorflow as tf

        step = int(record["round"])
        if samples is None:
            samples = read_samples(self.root, step)
        with self.writer().as_default(step=step):
            for tag, value in flatten(record).items():
                tf.summary.write(tag, tf.constant(value, tf.float32), metadata=_metadata(SCALARS))
            if samples is not None and len(samples):
                tf.summary.write(IMAGE_TAG, _image_tensor(sample_grid(samples)),
                                 metadata=_metadata(IMAGES))
        self._writer.flush()

    def close(self) -> None:
        """Flush and close the event file."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
