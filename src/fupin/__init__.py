"""Fupin."""
