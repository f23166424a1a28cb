"""`make mutation`: mutmut over the hand-written package (see run.py)."""
