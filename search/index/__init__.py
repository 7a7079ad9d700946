"""Search index: Whoosh schema, generation builds with an atomic switch, and the query wrapper.

Public surface (the rest is private to the package)::

    build_generation(checked, index_dir) -> BuildResult   build, validate, switch (checked: search.checks.checked)
    open_current(index_dir) -> Generation                 the generation CURRENT names, pinned
    open_served(index_dir) -> Served                      that, or the newest intact fallback + why
    Generation.search(text, ...) -> SearchResult          the only way user text reaches Whoosh
    best_step(guide_entry, result.terms) -> Step | None  the step of a guide hit the query is about
    QueryError, BuildError, IndexUnavailable
"""

from .engine.query import QueryError
from .generation import Generation, Hit, IndexUnavailable, SearchResult, generation_number
from .lifecycle.build import BuildError, BuildResult, Served, build_generation, clean, clean_leftovers, current_path, open_current, open_served, read_current
from .stephits import best_step

__all__ = [
    "BuildError",
    "BuildResult",
    "Generation",
    "Hit",
    "IndexUnavailable",
    "QueryError",
    "SearchResult",
    "Served",
    "best_step",
    "build_generation",
    "clean",
    "clean_leftovers",
    "current_path",
    "generation_number",
    "open_current",
    "open_served",
    "read_current",
]
