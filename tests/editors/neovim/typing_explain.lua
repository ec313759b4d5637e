-- The user types in insert mode into app.py while a slow explanation arrives: its window opens
-- beside app.py without the focus, and every typed key lands in app.py.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  local answer_buf
  vim.api.nvim_create_autocmd('User', {
    pattern = 'ClaifAnswer',
    callback = function(args)
      answer_buf = args.data.bufnr
    end,
  })
  vim.cmd('4,7ClaifExplain')
  H.wait_streaming()
  vim.api.nvim_win_set_cursor(0, { 2, 0 })
  local after = 0
  local typed, seen = H.type_until('A', function()
    if answer_buf then
      after = after + 1
    end
    return after > 10
  end, H.where)
  H.put('typed', typed)
  H.put('seen', seen)
  H.put('line2', H.lines()[2])
  H.put('answer_shown', answer_buf ~= nil and #vim.fn.win_findbuf(answer_buf) == 1)
end)
