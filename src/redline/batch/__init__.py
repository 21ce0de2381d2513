"""Screening whole files: parties (``screen-file``) and, later, shipments."""
