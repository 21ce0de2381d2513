"""Matching tests use the session ``screener`` fixture of ``tests/conftest.py``."""
