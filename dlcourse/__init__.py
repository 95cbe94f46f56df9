"""Shared helpers for the deep-learning course: device choice, answer checks, plots, grading."""

__version__ = "0.1.0"
