-- Second run on the same state directory (see restore_first.lua): the new server restored the pending
-- proposal; once the client attaches the plugin shows it again (signs, one line), :ClaifReview reopens
-- it, and `ga` then `gA` accept it into the buffer.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  local review = require('claif.review')
  H.wait(function()
    return H.session_count() == 1
  end, 'the restored proposal to be shown')
  local id = next(review.sessions)
  H.put('proposal', id)
  H.put('restored', review.sessions[id].proposal.restored)
  H.put('announced', vim.tbl_map(function(n)
    return n.msg
  end, vim.tbl_filter(function(n)
    return n.msg:find('restored', 1, true) ~= nil
  end, H.result.notifications)))
  local marks = vim.api.nvim_buf_get_extmarks(H.bufnr, review.ns, 0, -1, { details = true })
  H.put('signs', #vim.tbl_filter(function(m)
    return m[4].sign_text ~= nil
  end, marks))
  vim.cmd('ClaifReview')
  H.wait(H.open_session, 'the restored diff view')
  local s = H.open_session() --[[@as claif.Session]]
  H.put('winbar', vim.wo[s.prop_win].winbar)
  H.feed('ga')
  H.wait(function()
    return #review.pending_hunks(s.file) == 1
  end, '`ga` on the restored proposal')
  H.feed('gA')
  H.wait(function()
    return review.sessions[id] == nil
  end, '`gA` on the restored proposal')
  H.put('final_state', H.proposal(id).state)
end)
