"""The screening service: HTTP API, OpenRefine reconciliation, review workspace, audit.

Thin over the library (:class:`redline.match.Screener`, the store, the batch engine).
The pieces meet through the small contracts of :mod:`redline.service.principal`.
"""
