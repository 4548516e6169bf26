"""Sphinx configuration of the quizhub documentation (``make docs``; docs.md says why Sphinx)."""

from __future__ import annotations

project = "quizhub"
author = "quizhub"
copyright = "quizhub"
language = "en"

extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
root_doc = "index"
# measured/ holds the tables the measuring tools write; pages include them, so they are not
# documents of their own. Nothing else is left out.
exclude_patterns = ["_build", "measured", "Thumbs.db", ".DS_Store"]

# MyST: every heading down to ### gets a stable GitHub-style anchor, so code and other pages can
# point at docs/architecture.md#the-test-document and a broken anchor is a build warning.
myst_heading_anchors = 3
myst_enable_extensions = ["deflist"]

html_theme = "furo"
html_title = "quizhub"
html_static_path: list[str] = []
html_show_sourcelink = False
html_copy_source = False
