"""Pure domain: the test document, integrity rules, compute(), revisions and job ids. No I/O."""
