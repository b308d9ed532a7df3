"""Differential privacy for the shared updates: Shokri's mechanism, DP-SGD, and ε accounting."""
