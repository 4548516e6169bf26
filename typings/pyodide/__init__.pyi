# Pyodide's package, as far as quizhub.cloudflare uses it (see ffi.pyi).
