"""``python -m search.cli``: the same as the ``kb`` command."""

from . import main

main()
