"""QTI 3.0 import and export of practice items (assessment items and content packages)."""
