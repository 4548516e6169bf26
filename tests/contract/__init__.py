"""Contract checks for the binding ports (run against every implementation)."""
