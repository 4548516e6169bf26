"""The front door: what every request meets before and around the app, written once for both
platforms. ``guard`` (admin credentials, body size and rate limits before any body is read),
``access`` (Cloudflare Access token checks), ``ratelimits`` (which requests count against which
limit) and ``cdn`` (cache keys, Cache-Tags, edge TTLs, the zone purge). Pydantic-free and free of
platform imports: the API Worker runs it in Pyodide.
"""
