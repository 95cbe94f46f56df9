"""Notebooks read, never run: cell roles, a task's statement and rules, names cells bind, variants."""
