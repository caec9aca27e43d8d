"""Composite-index engine (OECD/JRC Handbook, like the R package COINr).

Knows nothing of storage or the web: it takes a units-by-indicators matrix and its metadata
(`io`), runs a configured pipeline of pure steps (`config`, `pipeline`) and returns an immutable
`model.Index` whose tables `results` turns into scores and ranks.
"""
