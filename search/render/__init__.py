"""Pure functions from the content model to text, JSON, SVG and HTML; no I/O, no framework."""
