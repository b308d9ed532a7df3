"""make reproduce-figures: presets, claims and the figures/REPORT.md they produce."""
