-- :ClaifExplain shows the explanation while it streams: its window opens (without the focus) at the
-- first progress, fills with the streamed lines, and the whole answer replaces them in the same buffer.
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
  local source_win = vim.api.nvim_get_current_win()
  vim.cmd('4,7ClaifExplain')
  --- The window beside the source one and its lines, once it shows a streamed line.
  local streaming
  H.wait(function()
    for _, win in ipairs(vim.api.nvim_tabpage_list_wins(0)) do
      local buf = vim.api.nvim_win_get_buf(win)
      if win ~= source_win and vim.bo[buf].filetype == 'markdown' then
        local lines = H.lines(buf)
        if table.concat(lines, '\n'):find('price', 1, true) then
          streaming = { buf = buf, lines = lines, done = answer_buf ~= nil }
          return true
        end
      end
    end
  end, 'the explanation to stream into its window')
  H.put('streaming', streaming)
  H.put('current_is_source_while_streaming', vim.api.nvim_get_current_win() == source_win)
  H.wait(function()
    return answer_buf
  end, 'the whole answer')
  H.put('same_buffer', answer_buf == streaming.buf)
  H.put('answer', H.lines(answer_buf))
  H.put('windows', #vim.api.nvim_tabpage_list_wins(0))
end)
