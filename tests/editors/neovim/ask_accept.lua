-- Ask about the file, see progress, review in the diff view, accept one hunk with `ga`, then the rest.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  local review = require('claif.review')
  vim.cmd('1,$ClaifAsk Rename s to result and use an f-string')
  local s = H.review('the diff view')
  H.step('review open')
  H.put('proposal_id', s.id)
  H.put('proposal_state', s.proposal.state)
  H.put('hunks', #review.pending_hunks(s.file))
  H.put('proposed', H.lines(s.prop_buf))
  H.put('diff_windows', { vim.wo[s.src_win].diff, vim.wo[s.prop_win].diff })
  H.put('tabs_open', #vim.api.nvim_list_tabpages())
  H.put('signs', #vim.api.nvim_buf_get_extmarks(H.bufnr, review.ns, 0, -1, {}))
  H.put('current_buf_is_proposal', vim.api.nvim_get_current_buf() == s.prop_buf)
  H.put('cursor_first_hunk', vim.api.nvim_win_get_cursor(0)[1])

  -- The cursor starts on the first hunk; `]h` moves to the second, `[h` back.
  H.feed(']h')
  H.put('cursor_second_hunk', vim.api.nvim_win_get_cursor(0)[1])
  H.feed('[h')

  H.feed('ga') -- accept the hunk under the cursor
  H.wait(function()
    return review.sessions[s.id] and #review.pending_hunks(review.sessions[s.id].file) == 1
  end, 'one hunk left')
  H.step('one hunk accepted')
  H.put('after_one', H.lines())
  H.put('state_after_one', review.sessions[s.id].proposal.state)
  H.put('signs_after_one', #vim.api.nvim_buf_get_extmarks(H.bufnr, review.ns, 0, -1, {}))
  H.put('proposed_after_one', H.lines(s.prop_buf))

  vim.api.nvim_set_current_win(s.src_win)
  vim.cmd('ClaifAccept')
  H.wait(function()
    return review.sessions[s.id] == nil
  end, 'the review to finish')
  H.step('all accepted')
  local proposal = H.proposal(s.id)
  H.put('final_state', proposal and proposal.state)
  H.put('tabs_after', #vim.api.nvim_list_tabpages())
  H.put('signs_after', #vim.api.nvim_buf_get_extmarks(H.bufnr, review.ns, 0, -1, {}))
  H.put('diff_after', vim.wo[vim.fn.win_findbuf(H.bufnr)[1]].diff)
end)
