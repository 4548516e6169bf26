"""The reliability scorecard of shared/reference/reliability.md, on the local platform.

``python -m reliability.scorecard`` (``make reliability``) prints one table with a number per row
and exits non-zero when any row misses its pass criterion. ``--quick`` runs the same checks with
smaller counts; ``tests/reliability`` runs that inside ``make test``.
"""
