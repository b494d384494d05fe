"""The JSON API (OpenAPI at /api/docs): the same services and access chokepoints as the pages,
for a signed-in browser or for other software holding an API token (``tandem.api.main``)."""
