"""OneRoster 1.1 (and partly 1.2) CSV bundles: read, validate, import and export."""
