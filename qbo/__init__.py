"""The QuickBooks Online client layer: HTTP, OAuth and error mapping. Knows nothing of the ORM."""
