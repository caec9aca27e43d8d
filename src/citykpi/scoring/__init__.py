"""Targets, U4SSC benchmark scoring and progress over the years.

A pure core: it reads `Assessment`s and target sets and returns scorecards and progress
statuses; files, catalogues and rendering stay at the edges (`targetfiles`, `citykpi.report`).
The rules and every choice the U4SSC sources leave open are written down in docs/methodology.md.
"""
