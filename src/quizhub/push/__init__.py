"""Live save status: job transitions pushed to admin browsers over a WebSocket.

``protocol`` holds the names both platforms and the admin UI share (the WebSocket path, the
ticket and its lifetime, the message shapes); ``hub`` is the Durable Object's logic as plain
Python (accept, broadcast, ping); ``notify`` is the pipeline's best-effort sender. No pydantic
and no platform imports: the consumer Worker and the Durable Object run this in Pyodide.
"""
