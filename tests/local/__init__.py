"""Tests of the local platform's own behaviour (what only the local bindings promise)."""
