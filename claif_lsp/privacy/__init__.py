"""What may leave the machine: files never sent (:mod:`.refusal`), secrets scrubbed from all else (:mod:`.redaction`).

The two are one policy seen from two sides, so they sit together: refusal keeps a whole document home (a secret
file name, a private key inside, an excluded glob), redaction replaces the secret values in whatever text does go
out. The package is named for what it protects rather than ``policy`` (``claif_lsp.edit_policy`` decides which
edits a proposal may hold), and stands apart from :mod:`claif_lsp.context` because the server needs redaction
from its first log record on, while the context machinery loads only with the first ask.
"""
