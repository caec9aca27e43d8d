"""The ground floor: the data shapes every other package exchanges, and nothing else.

A submission (`submission`), its assessment (`assessment`), the completion rules of a period
(`completion`) and the diagnostics that say what is wrong and where (`diagnostics`). This package
imports nothing else of citykpi, so that any package may import it without pulling in another floor
(docs/architecture.md).
"""
