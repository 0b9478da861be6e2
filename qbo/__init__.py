"""The QuickBooks Online client layer: HTTP, OAuth and error mapping. Knows nothing of the ORM."""

import warnings

# Authlib 1.9 announces a future move of its httpx integration to "httpx2"; the current one is
# what we use on purpose (pinned), so the notice is only noise in every command's output.
warnings.filterwarnings("ignore", message="The httpx module is deprecated")
