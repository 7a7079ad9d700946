"""Search index: Whoosh schema, generation builds with an atomic switch, and the query wrapper.

Public surface (the rest is private to the package)::

    build_generation(repo, index_dir) -> BuildResult      build, validate, switch
    open_current(index_dir) -> Generation                 the generation CURRENT names, pinned
    open_served(index_dir) -> Served                      that, or the newest intact fallback + why
    Generation.search(text, ...) -> SearchResult          the only way user text reaches Whoosh
    QueryError, BuildError, IndexUnavailable
"""

from .build import BuildError, BuildResult, Served, build_generation, clean, clean_leftovers, current_path, open_current, open_served, read_current
from .generation import Generation, Hit, IndexUnavailable, SearchResult, generation_number
from .query import QueryError

__all__ = [
    "BuildError",
    "BuildResult",
    "Generation",
    "Hit",
    "IndexUnavailable",
    "QueryError",
    "SearchResult",
    "Served",
    "build_generation",
    "clean",
    "clean_leftovers",
    "current_path",
    "generation_number",
    "open_current",
    "open_served",
    "read_current",
]
