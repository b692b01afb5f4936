"""The version of skillscan. Imports nothing, so every module may read it without a cycle."""

__version__ = "0.1.0"
