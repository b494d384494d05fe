"""Models of the placement app."""
