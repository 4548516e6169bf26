"""The local platform: SQLite/file-backed stand-ins for the Cloudflare bindings (CPython only)."""
