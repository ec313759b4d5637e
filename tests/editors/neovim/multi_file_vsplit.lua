-- The two-file proposal with the `vsplit` layout: `]f` puts helpers.py in the user's own window, `q`
-- closes the view and gives the window its buffer back; `:ClaifReview helpers.py` reopens the view at
-- helpers.py, and `gA` accepts every hunk of both files.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start({ review = { layout = 'vsplit' } })
  local review = require('claif.review')
  local home_win = vim.api.nvim_get_current_win()
  vim.wo[home_win].winhighlight = 'Normal:Comment' -- the user's own, given back on close
  local function shown()
    return vim.fs.basename(vim.api.nvim_buf_get_name(vim.api.nvim_win_get_buf(home_win)))
  end

  vim.cmd('%ClaifAsk Use f-strings and tidy the helpers')
  local s = H.review('the diff view')
  H.put('src_win_is_home', s.src_win == home_win)
  H.put('home_during', { winbar = vim.wo[home_win].winbar, winhighlight = vim.wo[home_win].winhighlight })
  H.feed(']f')
  H.put('shown_after_next_file', shown())
  H.feed('q')
  H.put('shown_after_close', shown())
  H.put('windows_after_close', #vim.api.nvim_tabpage_list_wins(0))
  H.put('home_after_close', { winbar = vim.wo[home_win].winbar, winhighlight = vim.wo[home_win].winhighlight })
  H.put('state_after_close', review.sessions[s.id] and review.sessions[s.id].proposal.state)
  H.put('id', s.id)

  -- From app.py, :ClaifReview reopens the view at app.py (not at helpers.py, shown last); `q` again.
  vim.cmd('ClaifReview')
  H.put('reopened_at', { shown(), vim.fs.basename(vim.api.nvim_buf_get_name(0)) })
  H.feed('q')

  H.put('completion', vim.fn.getcompletion('ClaifReview ', 'cmdline'))
  H.put('completion_h', vim.fn.getcompletion('ClaifReview h', 'cmdline'))
  vim.cmd('ClaifReview helpers.py')
  H.put('shown_after_review', shown())
  H.put('proposal_name', vim.fs.basename(vim.api.nvim_buf_get_name(0)))
  H.put('winbar', vim.wo.winbar)
  vim.cmd('ClaifReview nope.py') -- not a file of the proposal: an error naming its files
  H.feed('gA')
  H.wait(function()
    return review.sessions[s.id] == nil
  end, 'the review to finish')
  local p = H.proposal(s.id)
  H.put('final_state', p and p.state)
  H.put('helpers_final', H.lines(vim.fn.bufnr(vim.fs.joinpath(H.env.root, 'helpers.py'))))
  H.put('shown_after_accept', shown())
  H.put('windows_after_accept', #vim.api.nvim_tabpage_list_wins(0))
end)
