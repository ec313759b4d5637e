-- review.auto_open = true: the proposal arrives while the user types in insert mode. The diff view
-- does not open then; it opens by itself once they left insert mode and stopped typing.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start({ review = { auto_open = true } })
  vim.o.updatetime = 300 -- the user counts as idle 300 ms after their last key
  local review = require('claif.review')
  local opened_at
  vim.api.nvim_create_autocmd('User', {
    pattern = 'ClaifReviewOpen',
    callback = function()
      opened_at = opened_at or H.where()
    end,
  })
  vim.cmd('%ClaifAsk Rename s to result and use an f-string')
  H.wait_streaming()
  vim.api.nvim_win_set_cursor(0, { 2, 0 })
  local after = 0
  local typed, seen = H.type_until('A', function()
    if next(review.sessions) then
      after = after + 1
    end
    return after > 10
  end, H.where)
  H.put('typed', typed)
  H.put('seen', seen)
  H.put('opened_while_typing', opened_at ~= nil)
  H.put('line2', H.lines()[2])
  H.wait(H.open_session, 'the diff view to open once the user is idle')
  H.put('opened_at', opened_at)
  local s = H.open_session() --[[@as claif.Session]]
  H.put('current_is_proposal', vim.api.nvim_get_current_buf() == s.prop_buf)
end)
