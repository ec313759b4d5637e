"""Allow ``python -m claif_lsp``."""

from claif_lsp.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
