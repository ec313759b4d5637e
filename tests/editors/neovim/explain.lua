-- :ClaifExplain opens a Markdown scratch buffer and leaves the source buffer alone.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  local answer_buf, answer_win
  vim.api.nvim_create_autocmd('User', {
    pattern = 'ClaifAnswer',
    callback = function(args)
      answer_buf, answer_win = args.data.bufnr, args.data.winid
    end,
  })
  vim.cmd('4,7ClaifExplain')
  H.wait(function()
    return answer_buf
  end, 'the answer buffer')
  H.put('answer', H.lines(answer_buf))
  H.put('answer_filetype', vim.bo[answer_buf].filetype)
  H.put('answer_buftype', vim.bo[answer_buf].buftype)
  H.put('answer_is_current', vim.api.nvim_get_current_buf() == answer_buf)
  H.put('current_is_source', vim.api.nvim_get_current_buf() == H.bufnr)
  H.put('answer_win_shows_answer', vim.api.nvim_win_get_buf(answer_win) == answer_buf)
  H.put('windows', #vim.api.nvim_tabpage_list_wins(0))
  H.put('modified', vim.bo[H.bufnr].modified)
  H.put('sessions', H.session_count())
end)
