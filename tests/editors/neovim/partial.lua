-- A partial answer: the ask's answer has two hunks, and the second (greet) expects lines the file does
-- not have. The proposal holds the hunk that placed; its announcement and the diff view's winbar name the
-- one that did not, `gp` opens the raw answer headed by why, and `ga` accepts the hunk that placed.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  local review = require('claif.review')
  vim.cmd('%ClaifAsk Rename s to result and use f-strings')
  local s = H.review('the diff view of the partial answer')
  local p = H.proposal(s.id)
  H.put('partial', p.partial)
  H.put('answer', p.answer)
  H.put('announced', vim.tbl_map(function(n)
    return n.msg
  end, vim.tbl_filter(function(n)
    return n.msg:find(' ready, ', 1, true) ~= nil
  end, H.result.notifications)))
  H.put('winbar', vim.wo[s.prop_win].winbar)
  H.put('pending', #review.pending_hunks(s.file))
  H.put('proposed', H.lines(s.prop_buf))

  -- `gp`: the raw answer, with the focus (the user asked for it).
  H.feed('gp')
  local answer_buf
  H.wait(function()
    answer_buf = vim.fn.bufnr('claif: ' .. s.id .. ' answer')
    return answer_buf ~= -1 and vim.api.nvim_get_current_buf() == answer_buf
  end, '`gp` to open the raw answer')
  H.put('answer_lines', H.lines(answer_buf))
  H.put('answer_filetype', vim.bo[answer_buf].filetype)
  H.put('answer_in_review_tab', vim.api.nvim_get_current_tabpage() == s.tab)
  H.feed('q')
  H.put('back_in_proposal', vim.api.nvim_get_current_win() == s.prop_win)

  vim.api.nvim_set_current_win(s.prop_win)
  H.feed('ga')
  H.wait(function()
    return review.sessions[s.id] == nil
  end, '`ga` to accept the hunk that placed')
  H.put('final_state', H.proposal(s.id).state)
end)
