"""Knowledge base and troubleshooting-guide platform for IT support teams.

Layers (imports point one way): ``content`` (model + loader) <- ``checks`` / ``render`` /
``index`` <- ``docsite`` (mkdocs plugin) / ``api`` (FastAPI) <- ``cli``.
"""

__version__ = "0.1.0"
