"""The save/delete pipeline: accept, steps, the queue consumer and the sync baseline."""
