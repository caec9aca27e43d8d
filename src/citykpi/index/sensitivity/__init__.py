"""Uncertainty and sensitivity analysis of a composite index, computed as batched array operations."""
