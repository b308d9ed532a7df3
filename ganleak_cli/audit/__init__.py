"""``ganleak audit``: an empirical lower bound on the ε of ganleak's DP mechanisms.

events.py turns samples of a mechanism's outputs on two neighbouring inputs into a
Clopper–Pearson lower bound on ε (event searched on one half, bound on the other);
mechanisms.py runs the real Shokri release and DP-SGD step (dpsgd_step.py) on chosen neighbours,
and the negative controls (svt.py: broken sparse vector variants; an unclipped DP-SGD step);
run.py compares the bound with the claimed ε.
"""
