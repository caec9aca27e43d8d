"""Published reports: City Snapshot, Verification Report, SSC City Profile and city comparison.

HTML through Jinja2 (autoescaped), PDF through WeasyPrint from the same HTML, charts through one
library (Vega-Lite specs rendered to SVG by vl-convert) so that the page and the PDF show the same
wheel. Report text is translatable with gettext (English and French shipped).
"""
