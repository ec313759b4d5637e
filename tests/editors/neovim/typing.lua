-- The user types in insert mode into app.py while a slow answer streams in and arrives. The proposal
-- is announced, never opened: every typed key lands in app.py, which keeps the focus, in insert mode.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  local review = require('claif.review')
  local asked = false
  vim.api.nvim_create_autocmd('User', {
    pattern = 'ClaifAskDone',
    callback = function()
      asked = true
    end,
  })
  vim.cmd('%ClaifAsk Rename s to result and use an f-string')
  H.wait(function()
    for _, p in ipairs(H.result.progress) do
      if p.kind == 'report' then
        return true
      end
    end
  end, 'the answer to start streaming')

  -- A typist: one key every 30 ms through the input queue, as from a keyboard, until the proposal
  -- arrived and ten more keys went in after it; then <Esc>.
  local letters = 'abcdefghijklmnopqrstuvwxyz'
  local typed, after_arrival, stopped = {}, 0, false
  local timer = assert(vim.uv.new_timer())
  timer:start(30, 30, vim.schedule_wrap(function()
    if stopped then
      return
    end
    local arrived = asked and next(review.sessions) ~= nil
    if arrived then
      after_arrival = after_arrival + 1
    end
    if after_arrival > 10 or #typed >= 2000 then
      stopped = true
      timer:stop()
      local mode = vim.api.nvim_get_mode()
      H.put('at_arrival', {
        arrived = arrived,
        mode = mode.mode,
        current_is_source = vim.api.nvim_get_current_buf() == H.bufnr,
        windows = #vim.api.nvim_list_wins(),
        tabs = #vim.api.nvim_list_tabpages(),
      })
      vim.api.nvim_input('<Esc>')
      return
    end
    local ch = letters:sub(#typed % #letters + 1, #typed % #letters + 1)
    table.insert(typed, ch)
    vim.api.nvim_input(ch)
  end))
  vim.api.nvim_win_set_cursor(0, { 2, 0 })
  -- Insert mode on the empty line 2; `!` keeps it until the typist's <Esc>, waiting for keys meanwhile.
  vim.api.nvim_feedkeys('A', 'nx!', false)
  H.put('typed', table.concat(typed))
  H.put('typed_count', #typed)
  H.put('line2', H.lines()[2])
  H.put('current_is_source', vim.api.nvim_get_current_buf() == H.bufnr)
  H.put('sessions', H.session_count())
  H.put('hunks', (function()
    local _, s = next(review.sessions)
    return s and #review.pending_hunks(s.file)
  end)())
end)
