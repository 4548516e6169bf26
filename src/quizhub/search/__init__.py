"""Search: keyword terms for the D1 index, the hybrid query (keyword + vectors, fused) and the
vector index step. Pydantic-free: the consumer Worker indexes with it in Pyodide."""
