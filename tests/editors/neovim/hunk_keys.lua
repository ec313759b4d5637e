-- Hunk by hunk, with the commands and keys a user has. First proposal (three hunks: total, describe,
-- greet): :ClaifAcceptHunk on the cursor line of the source buffer accepts `total`, `gr` in the diff
-- view rejects `describe`, `gR` rejects the rest. Second proposal (describe, greet):
-- :'<,'>ClaifAcceptHunk over a visual selection covering both accepts them in one go.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  local review = require('claif.review')
  ---@param id string
  ---@return string[] ids of the pending hunks
  local function pending(id)
    local s = review.sessions[id]
    return s and vim.tbl_map(function(h)
      return h.id
    end, review.pending_hunks(s.file)) or {}
  end

  vim.cmd('%ClaifAsk Rename s to result and use f-strings')
  local s = H.review('the first diff view')
  local ids = pending(s.id)
  H.put('first_hunks', #ids)

  -- :ClaifAcceptHunk in the source window, cursor on `    s = 0` (line 5).
  vim.api.nvim_set_current_win(s.src_win)
  vim.api.nvim_win_set_cursor(0, { 5, 0 })
  vim.cmd('ClaifAcceptHunk')
  H.wait(function()
    return #pending(s.id) == 2
  end, ':ClaifAcceptHunk to accept one hunk')
  H.put('after_accept_hunk', H.lines())
  H.put('pending_after_accept_hunk', pending(s.id))

  -- `gr` in the proposal buffer on the first pending hunk (`describe`).
  vim.api.nvim_set_current_win(s.prop_win)
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  H.feed(']h')
  H.put('gr_cursor_line', vim.api.nvim_get_current_line())
  H.feed('gr')
  H.wait(function()
    return #pending(s.id) == 1
  end, '`gr` to reject one hunk')
  H.put('after_gr', H.lines())
  H.put('pending_after_gr', pending(s.id))
  H.put('proposed_after_gr', H.lines(s.prop_buf))

  -- `gR` rejects what is left; the view closes.
  H.feed('gR')
  H.wait(function()
    return review.sessions[s.id] == nil
  end, '`gR` to finish the first review')
  H.put('after_gR', H.lines())
  local p1 = H.proposal(s.id)
  H.put('first_hunk_states', vim.tbl_map(function(h)
    return h.state
  end, p1.files[1].hunks))
  H.put('first_state', p1.state)
  H.put('tabs_after_first', #vim.api.nvim_list_tabpages())

  -- Second proposal: a visual selection over lines 11-20 covers both of its hunks.
  vim.cmd('%ClaifAsk Use f-strings')
  local s2 = H.review('the second diff view')
  H.put('second_hunks', #pending(s2.id))
  vim.api.nvim_set_current_win(s2.src_win)
  vim.cmd('normal! 11GV20G')
  vim.api.nvim_feedkeys(vim.keycode('<Esc>'), 'x', false)
  vim.cmd("'<,'>ClaifAcceptHunk")
  H.wait(function()
    return review.sessions[s2.id] == nil
  end, "the range :'<,'>ClaifAcceptHunk to accept both hunks")
  local p2 = H.proposal(s2.id)
  H.put('second_state', p2.state)
  H.put('second_hunk_states', vim.tbl_map(function(h)
    return h.state
  end, p2.files[1].hunks))
  H.put('modified', vim.bo[H.bufnr].modified)
end)
