"""The QuickBooks Online client layer: HTTP (httpx2, through Authlib's httpx integration for
OAuth), OAuth and error mapping. Knows nothing of the ORM."""
