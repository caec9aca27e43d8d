"""citykpi: the U4SSC Key Performance Indicators for Smart Sustainable Cities, from workbook to index."""

__version__ = "0.1.0"
