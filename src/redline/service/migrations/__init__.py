"""Alembic migrations of redline's database (list store and service records).

Applied by :func:`redline.service.migrate.migrate`; no ``alembic.ini`` is needed.
"""
