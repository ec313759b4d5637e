-- `u` after accepting a hunk: the review follows the buffer, showing the undone hunk pending again.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  local review = require('claif.review')
  vim.cmd('1,$ClaifAsk Rename s to result and use an f-string')
  local s = H.review('the diff view')
  local updates = H.count_events('ClaifReviewUpdate')
  H.feed('ga')
  H.wait(function()
    return H.count_events('ClaifReviewUpdate') > updates
  end, 'the accept')
  H.put('after_accept', H.lines())
  vim.api.nvim_set_current_win(s.src_win)
  H.feed('u')
  H.put('after_undo', H.lines())
  local ok = pcall(H.wait, function()
    local session = review.sessions[s.id]
    return session and #review.pending_hunks(session.file) == 2
  end, 'the undone hunk to be pending again', 5000)
  local session = review.sessions[s.id]
  H.put('pending_after_undo', session and #review.pending_hunks(session.file) or 0)
  H.put('followed', ok)
  H.put('signs_after_undo', #vim.api.nvim_buf_get_extmarks(H.bufnr, review.ns, 0, -1, {}))
  local p = H.proposal(s.id)
  H.put('server_states', vim.tbl_map(function(h)
    return h.state
  end, p.files[1].hunks))
end)
