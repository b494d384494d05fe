"""Database backends: Django's, adjusted where Tandem's settings need it."""
