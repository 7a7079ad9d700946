"""The content model: every file in git is loaded and validated here, and only here."""
