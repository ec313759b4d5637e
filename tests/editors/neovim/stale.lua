-- A stale hunk affects only itself. Three hunks (total, describe, greet); the user edits a line of
-- the first in app.py, then accepts the second with `ga` in the diff view: it lands, the first is
-- marked stale in the view, the third is still accepted with `ga`, and `gr` drops the stale one.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  local review = require('claif.review')
  vim.cmd('%ClaifAsk Rename s to result and use f-strings')
  local s = H.review('the diff view')
  local ids = vim.tbl_map(function(h)
    return h.id
  end, review.pending_hunks(s.file))
  H.put('ids', ids)

  --- Hunk states on the server, in file order.
  local function states()
    return vim.tbl_map(function(h)
      return h.state
    end, H.proposal(s.id).files[1].hunks)
  end
  --- Run `keys` in the proposal window on row `row` (0-based) and wait for the review to follow.
  ---@return string[] the messages shown meanwhile
  local function press(keys, row)
    local before = #H.result.notifications
    local updates = H.count_events('ClaifReviewUpdate') + H.count_events('ClaifReviewDone')
    vim.api.nvim_set_current_win(s.prop_win)
    vim.api.nvim_win_set_cursor(s.prop_win, { row + 1, 0 })
    H.feed(keys)
    H.wait(function()
      return H.count_events('ClaifReviewUpdate') + H.count_events('ClaifReviewDone') > updates
    end, 'the review to follow `' .. keys .. '`')
    vim.wait(300) -- a second message would come now
    return vim.tbl_map(function(n)
      return n.msg
    end, vim.list_slice(H.result.notifications, before + 1))
  end
  --- The stale marks in the proposal buffer: row and text.
  local function stale_marks()
    local marks = {}
    for _, m in ipairs(vim.api.nvim_buf_get_extmarks(s.prop_buf, review.ns, 0, -1, { details = true })) do
      local text = table.concat(vim.tbl_map(function(chunk)
        return chunk[1]
      end, m[4].virt_text or {}))
      table.insert(marks, { row = m[2], text = text })
    end
    return marks
  end

  -- The user changes `    s = 0` (line 5, inside the first hunk) in app.py.
  vim.api.nvim_buf_set_lines(H.bufnr, 4, 5, false, { '    s = 1' })

  -- `ga` on the second hunk (describe).
  H.put('messages_ga2', press('ga', review.proposed_rows(s.file)[2].first))
  H.put('after_ga2', H.lines())
  H.put('states_after_ga2', states())
  H.put('session_after_ga2', review.sessions[s.id] ~= nil)
  if not review.sessions[s.id] then
    return -- the whole proposal went with the stale hunk: nothing more to review
  end
  H.put('stale_marks', stale_marks())
  H.put('stale_rows', vim.tbl_map(function(r)
    return { id = r.hunk.id, row = r.row }
  end, s.stale_rows or {}))
  H.put('proposed_after_ga2', H.lines(s.prop_buf))

  -- `ga` on the third (greet), still pending.
  local rows = review.proposed_rows(s.file)
  H.put('pending_rows_after_ga2', #rows)
  H.put('messages_ga3', press('ga', rows[1].first))
  H.put('after_ga3', H.lines())
  H.put('states_after_ga3', states())

  -- `ga` on the stale mark only says why it cannot be applied (no request goes out).
  local before = #H.result.notifications
  vim.api.nvim_set_current_win(s.prop_win)
  vim.api.nvim_win_set_cursor(s.prop_win, { s.stale_rows[1].row + 1, 0 })
  H.feed('ga')
  H.put('messages_ga_stale', vim.tbl_map(function(n)
    return n.msg
  end, vim.list_slice(H.result.notifications, before + 1)))

  -- `gr` on the stale mark drops the first hunk; nothing is left to review.
  H.put('messages_gr', press('gr', s.stale_rows[1].row))
  H.put('states_after_gr', states())
  H.put('final_state', H.proposal(s.id).state)
  H.put('session_after_gr', review.sessions[s.id] ~= nil)
  H.put('tabs_after', #vim.api.nvim_list_tabpages())
end)
