"""Play analytics: events from the public site on a queue, Postgres (Hyperdrive) behind it,
stats in the admin. A side store: D1 stays the record of the tests themselves."""
