"""Assessment results in the formats other city systems read: Frictionless, NGSI-LD, SDMX-CSV, Open SDG.

Each format module has a pure `export`-side function building the document(s) and an import side
reading them back into `Assessment`s, so that every format can be checked by a round trip. Only
results travel here; the input side (a city's submission as CSV or data package) is `citykpi.collect`.
"""
