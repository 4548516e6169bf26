"""Data access written once against the ports: SQL text and R2 keys. Free of pydantic so it also
runs inside the Pyodide harness against Miniflare's D1/R2."""
