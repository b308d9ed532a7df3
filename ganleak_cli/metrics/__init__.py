"""Leakage and utility numbers: oracle classifier, nearest-neighbour similarity, accuracy."""
