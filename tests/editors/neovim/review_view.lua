-- The review tab as a user sees it: its tab label, a winbar on both sides (rows line up), the key hint,
-- no internal ids in the source, the removed rows drawn as removals, and what accept and reject say.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

--- The 1-based line of `buf` that is `text`.
local function line_of(buf, text)
  for i, line in ipairs(H.lines(buf)) do
    if line == text then
      return i
    end
  end
  error('no line ' .. text)
end

--- The screen row and the highlight attribute of the first character of line `lnum` in `win`.
local function cell(win, lnum)
  local pos = vim.fn.screenpos(win, lnum, 1)
  return { row = pos.row, attr = vim.fn.screenattr(pos.row, pos.col) }
end

H.run(function()
  H.start()
  H.watch_screen()
  local review = require('claif.review')
  vim.cmd('1,$ClaifAsk make it shorter')
  local s = H.review('the diff view')
  vim.cmd.redraw()
  local src, prop = s.src_win, s.prop_win
  H.put('tab_labels', H.result.tab_labels)
  local function bar(win, option)
    local value = vim.wo[win][option]
    return value ~= '' and vim.api.nvim_eval_statusline(value, { winid = win, use_winbar = option == 'winbar' }).str or ''
  end
  H.put('winbars', { bar(src, 'winbar'), bar(prop, 'winbar') })
  H.put('key_hint', bar(prop, 'statusline'))
  H.put('prop_width', vim.api.nvim_win_get_width(prop))

  -- Rows of the same text line up on both sides: the first line, and the first line past the removal.
  local rows = {}
  for _, text in ipairs({ '"""Inventory helpers."""', 'def describe(item):', 'def count(items):' }) do
    table.insert(rows, { text, cell(src, line_of(s.src_buf, text)).row, cell(prop, line_of(s.prop_buf, text)).row })
  end
  H.put('rows', rows)

  -- A row only the source has (one the proposal removes) is drawn as the proposal side's filler rows
  -- are (DiffDelete), not as an addition.
  local function diff_hl(win, lnum)
    return vim.api.nvim_win_call(win, function()
      return vim.fn.synIDattr(vim.fn.diff_hlID(lnum, 1), 'name')
    end)
  end
  local removed
  for lnum = 1, vim.api.nvim_buf_line_count(s.src_buf) do
    if diff_hl(src, lnum) == 'DiffAdd' then
      removed = removed or lnum
    end
  end
  H.put('removed', removed and { text = H.lines(s.src_buf)[removed], cell = cell(src, removed) })
  for lnum = 1, vim.api.nvim_buf_line_count(s.prop_buf) do
    local fillers = vim.api.nvim_win_call(prop, function()
      return vim.fn.diff_filler(lnum)
    end)
    if fillers > 0 then
      local pos = vim.fn.screenpos(prop, lnum, 1)
      H.put('filler_cell', { row = pos.row - 1, attr = vim.fn.screenattr(pos.row - 1, pos.col) })
      break
    end
  end
  H.put('src_winhighlight', vim.wo[src].winhighlight)

  local virt = {}
  for _, m in ipairs(vim.api.nvim_buf_get_extmarks(H.bufnr, -1, 0, -1, { details = true })) do
    for _, chunk in ipairs(m[4].virt_text or {}) do
      table.insert(virt, chunk[1])
    end
  end
  H.put('source_virt_text', virt)
  H.put('proposal_id', s.id)

  --- Press `keys` in the proposal window and return the notifications that followed.
  local function press(keys)
    local before = #H.result.notifications
    local updates = H.count_events('ClaifReviewUpdate') + H.count_events('ClaifReviewDone')
    vim.api.nvim_set_current_win(prop)
    H.feed(keys)
    H.wait(function()
      return H.count_events('ClaifReviewUpdate') + H.count_events('ClaifReviewDone') > updates
    end, 'the review to follow ' .. keys)
    vim.wait(300) -- a second message would come now
    return vim.tbl_map(function(n)
      return n.msg
    end, vim.list_slice(H.result.notifications, before + 1))
  end
  H.put('said_ga', press('ga'))
  H.put('said_gR', press('gR'))
  H.put('workspace_edit_messages', H.screen_messages_with('Workspace edit'))
end)
