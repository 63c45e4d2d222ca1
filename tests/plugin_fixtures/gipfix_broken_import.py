"""A plugin that cannot even be imported (a dependency it needs is missing)."""

raise ImportError("No module named 'gipfix_missing_dependency'")
