"""The mkdocs plugin (``kb-guides``) and the site build: event wiring only; pages come from ``search.render``."""
