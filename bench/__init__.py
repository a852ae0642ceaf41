"""Reproducible benchmarks: ``make bench`` runs them all and prints their figures.

Benchmarks are never timed tests: they print numbers (and ratios against a baseline
measured in the same process where one exists) and do not fail on a wall-clock figure.
"""
