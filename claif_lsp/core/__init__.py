"""The use cases, free of pygls: asking providers for a change (:mod:`.ask`) and reviewing it (:mod:`.review`).

They talk to the editor only through the ports of :mod:`.ports`; :mod:`claif_lsp.features` translates JSON-RPC to
and from them and backs the ports with the pygls server. Every proposal transition lives in :mod:`.proposals`.
"""
