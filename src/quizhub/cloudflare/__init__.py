"""Adapters from the Cloudflare JS bindings to ``quizhub.ports`` (Pyodide only).

The only package (with the entry files) that touches ``js``/``pyodide``; it imports them inside
functions, so importing these modules on host CPython is harmless. Build everything through
``quizhub.cloudflare.env.bindings_from_env(env)``.
"""

from quizhub.cloudflare.env import bindings_from_env

__all__ = ["bindings_from_env"]
