-- The same ask twice with the response cache on: the second answer comes from the cache, and its
-- announcement and diff view say so. :ClaifRetry in the source buffer asks again past the cache; its
-- answer (another one) becomes revision 2 of that proposal, not cached.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  local review = require('claif.review')
  local store = require('claif.store')
  local function said(needle)
    return vim.tbl_map(function(n)
      return n.msg
    end, vim.tbl_filter(function(n)
      return n.msg:find(needle, 1, true) ~= nil
    end, H.result.notifications))
  end
  vim.cmd('%ClaifAsk Rename s to result and use f-strings')
  H.wait(function()
    return H.session_count() == 1
  end, 'the first proposal')
  vim.cmd('%ClaifAsk Rename s to result and use f-strings')
  H.wait(function()
    return H.session_count() == 2
  end, 'the second proposal')
  local first, second = store.order[1], store.order[2]
  H.put('ids', { first, second })
  H.put('cached', { review.sessions[first].proposal.cached, review.sessions[second].proposal.cached })
  H.put('announced', said(' ready, '))

  vim.cmd('ClaifReview')
  H.wait(H.open_session, 'the diff view of the cached proposal')
  local s = H.open_session() --[[@as claif.Session]]
  H.put('reviewed', s.id)
  H.put('winbar_cached', vim.wo[s.prop_win].winbar)

  -- :ClaifRetry from the source window of the view: the newest proposal of the buffer, the cached one.
  vim.api.nvim_set_current_win(s.src_win)
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  vim.cmd('ClaifRetry')
  H.wait(function()
    local current = review.sessions[second]
    return current and current.proposal.revision == 2
  end, 'the retried revision')
  s = review.sessions[second]
  H.put('cached_after_retry', s.proposal.cached)
  H.put('winbar_retried', vim.wo[s.prop_win].winbar)
  H.put('proposed_retried', H.lines(s.prop_buf))
  H.wait(function()
    return #said('revision 2') > 0
  end, 'the retried revision to be announced')
  H.put('announced_retry', said('revision 2'))
  H.put('first_revision', review.sessions[first].proposal.revision)
end)
