"""Pure domain: the test document, integrity rules, compute(), revisions, job ids and retry
backoff. No I/O."""
