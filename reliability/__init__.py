"""The reliability scorecard on the local platform; its rows are defined in docs/reliability.md.

``python -m reliability.scorecard`` (``make reliability``) prints one table with a number per
row, writes it to docs/measured/scorecard.md and exits non-zero when any row misses its pass
criterion. ``--quick`` runs the same checks with smaller counts; ``tests/reliability`` runs that
inside ``make test`` (and writes nothing).
"""
