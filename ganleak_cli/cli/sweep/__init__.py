"""``ganleak sweep``: many ``ganleak simulate`` configurations, one run folder each.

spec.py reads and checks the sweep (file, ``--grid``, ``--set``) and expands it into
configurations; plan.py turns each into a checked SimConfig, a folder and its state;
executors.py runs them as subprocesses (local pool or Ray); results.py writes results.csv.
"""
