"""Bounds of the instructions engine: how much of one file and of one section is read, and how many
findings of one rule one file may give."""

MAX_TEXT = 8_000_000  # characters of one file read as instructions
MAX_SECTION = 200_000
MAX_PER_RULE = 25  # findings of one rule in one file; the first ones carry the verdict
