"""Loaders: export files → validated rows in DuckDB."""

import pyarrow as _pa

try:  # jemalloc hands freed pages back lazily: a 1M-row load spends far less time in the kernel
    _pa.set_memory_pool(_pa.jemalloc_memory_pool())
except NotImplementedError:  # pyarrow builds without jemalloc (Windows) keep their default pool
    pass
