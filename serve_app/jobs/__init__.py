"""Significance jobs: typed records (`job`), SQLite store (`store`), metrics, the
registry actor (`registry`) and the per-job runner (`runner`).

This ``__init__`` imports nothing, so the plain-Python parts (records, store) load
without Ray.
"""
