"""Redline: sanctions and export-control screening, from official lists to verdicts."""

__version__ = "0.1.0"
