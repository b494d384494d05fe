"""Models of the interop app: import runs and their reports."""
