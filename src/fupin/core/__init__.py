"""Pure-Python domain core of Fupin: no Django import may appear in this package.

Money, schedules, rates, rules and their errors live here as plain functions over
frozen dataclasses, so that they can be tested in milliseconds and reused by the
web app, the API, the batch and the command line alike.
"""
