"""The Pyodide/Miniflare harness: the Cloudflare adapters run for real, driven from pytest."""
