-- The user types in insert mode into app.py while a slow answer streams in and arrives. The proposal
-- is announced, not opened: every typed key lands in app.py, which keeps the focus, in insert mode.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  local review = require('claif.review')
  vim.cmd('%ClaifAsk Rename s to result and use an f-string')
  H.wait_streaming()
  local tabs, windows = #vim.api.nvim_list_tabpages(), #vim.api.nvim_list_wins()

  -- Type on the empty line 2 until the proposal arrived and ten more keys went in after it.
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
  H.put('layout_before', { tabs = tabs, windows = windows })
  H.put('line2', H.lines()[2])
  H.put('after', H.where())
  H.put('sessions', H.session_count())
end)
