"""Test helpers that render the hand-verified seeds into real input formats (HTML, DOCX)."""
