-- Reject one hunk from the source buffer (:ClaifRejectHunk on its line), then the rest (:ClaifReject).
-- The diff view uses the `vsplit` layout (in the current tab page).
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start({ review = { layout = 'vsplit' } })
  local review = require('claif.review')
  vim.cmd('%ClaifAsk Rename s to result and use an f-string')
  local s = H.review('the diff view')
  H.put('proposal_id', s.id)
  H.put('hunks', #review.pending_hunks(s.file))
  H.put('layout', { tabs = #vim.api.nvim_list_tabpages(), windows = #vim.api.nvim_tabpage_list_wins(0) })

  -- In the source window, on the second hunk's first line.
  vim.api.nvim_set_current_win(s.src_win)
  local second = review.pending_hunks(s.file)[2]
  vim.api.nvim_win_set_cursor(0, { second.range.start.line + 1, 0 })
  vim.cmd('ClaifRejectHunk')
  H.wait(function()
    return review.sessions[s.id] and #review.pending_hunks(review.sessions[s.id].file) == 1
  end, 'one hunk left')
  H.put('after_one', H.lines())
  H.put('state_after_one', review.sessions[s.id].proposal.state)

  vim.cmd('ClaifReject')
  H.wait(function()
    return review.sessions[s.id] == nil
  end, 'the review to finish')
  local proposal = H.proposal(s.id)
  H.put('final_state', proposal and proposal.state)
  H.put('modified', vim.bo[H.bufnr].modified)
  H.put('layout_after', { tabs = #vim.api.nvim_list_tabpages(), windows = #vim.api.nvim_tabpage_list_wins(0) })
  H.put('signs_after', #vim.api.nvim_buf_get_extmarks(H.bufnr, review.ns, 0, -1, {}))
end)
