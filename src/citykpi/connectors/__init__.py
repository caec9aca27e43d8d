"""Raw measurements to KPI inputs.

Cities already run monitoring stations and meters; a connector turns their time series into the
values a KPI needs, applying the reporting rules (completeness, unit conversion, averaging) that a
city team would otherwise apply by hand in a spreadsheet, and records how each value was obtained.
"""
