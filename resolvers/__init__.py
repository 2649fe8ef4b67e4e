"""Use cases: validation, authorization and transactions, one package per domain.

A domain imports only `core` and the domains below it (docs/ARCHITECTURE.md draws the
order; import-linter enforces it). Each package's `__init__` names the modules others may use.
"""
