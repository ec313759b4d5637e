"""The use cases, free of the LSP server library: asking for a change (:mod:`.ask`) and reviewing it (:mod:`.review`).

They talk to the editor only through the ports of :mod:`.ports`; :mod:`claif_lsp.features` translates JSON-RPC to
and from them and backs the ports with the language server. Every proposal transition lives in :mod:`.proposals`.
"""
