"""Distributed selective SGD (Shokri & Shmatikov, CCS'15): server, selection, participants,
order."""
