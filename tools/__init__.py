"""Developer tools of the codegym repository (not part of the installed package)."""
