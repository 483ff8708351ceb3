"""amity's benchmark harness: amity beside newsboat, reader and the physical floor, in one run.

Run it from the repository root with `python -m bench` (see README.md, Performance).
"""
