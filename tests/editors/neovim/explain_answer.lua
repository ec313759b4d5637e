-- :ClaifExplain fills its window from `claif/answer`: every version of the buffer while it streams is
-- recorded (the window opens without the focus), then the whole answer once it is done.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  --- Every text each new buffer held, in order, as it changed.
  local versions = {}
  vim.api.nvim_create_autocmd('FileType', {
    pattern = 'markdown',
    callback = function(args)
      local buf = args.buf
      vim.api.nvim_buf_attach(buf, false, {
        on_lines = function()
          versions[buf] = versions[buf] or {}
          table.insert(versions[buf], vim.api.nvim_buf_get_lines(buf, 0, -1, false))
        end,
      })
    end,
  })
  local answer_buf
  vim.api.nvim_create_autocmd('User', {
    pattern = 'ClaifAnswer',
    callback = function(args)
      answer_buf = args.data.bufnr
    end,
  })
  local source_win = vim.api.nvim_get_current_win()
  local streaming_focus = {}
  local timer = vim.uv.new_timer()
  timer:start(0, 20, vim.schedule_wrap(function()
    if not answer_buf then
      table.insert(streaming_focus, vim.api.nvim_get_current_win() == source_win)
    end
  end))
  vim.cmd('4,7ClaifExplain')
  H.wait(function()
    return answer_buf
  end, 'the whole answer')
  timer:stop()
  H.put('answer', H.lines(answer_buf))
  H.put('versions', versions[answer_buf] or {})
  H.put('filetype', vim.bo[answer_buf].filetype)
  H.put('modifiable', vim.bo[answer_buf].modifiable)
  H.put('focus_stayed', not vim.tbl_contains(streaming_focus, false) and vim.api.nvim_get_current_win() == source_win)
  H.put('windows', #vim.api.nvim_tabpage_list_wins(0))
end)
