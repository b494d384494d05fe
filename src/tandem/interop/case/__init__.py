"""CASE 1.0/1.1 CFPackage import and export for competency frameworks."""
