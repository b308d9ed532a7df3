"""The run folder: the only code that reads or writes one (config, metrics, samples, grids,
checkpoints, names, TensorBoard)."""
