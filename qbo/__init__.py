"""The QuickBooks Online client layer: HTTP, OAuth and error mapping. Knows nothing of the ORM."""

import warnings

import authlib.deprecate  # noqa: F401  (it installs an "always show" filter; ours must come after)

# Authlib 1.9 announces a future move of its httpx integration to "httpx2"; the current one is
# what we use on purpose (pinned), so the notice is only noise in every command's output.
warnings.filterwarnings("ignore", message="The httpx module is deprecated")
