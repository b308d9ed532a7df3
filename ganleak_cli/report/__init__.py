"""Reporting: tables, plots, intervals, the report page and the verdict card."""
