-- A proposal changing two files (app.py: one hunk, helpers.py: two). The diff view starts on app.py;
-- `]f` shows helpers.py, `ga` accepts its first hunk there; `:ClaifReview app.py` goes back, `ga`
-- accepts app.py's hunk and the view moves on by itself to helpers.py, where `gr` rejects the last hunk.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  local review = require('claif.review')
  local helpers_path = vim.fs.joinpath(H.env.root, 'helpers.py')

  --- What the diff view shows now.
  ---@param s claif.Session
  local function view(s)
    return {
      src_name = vim.fs.basename(vim.api.nvim_buf_get_name(vim.api.nvim_win_get_buf(s.src_win))),
      proposed = H.lines(s.prop_buf),
      winbar = vim.wo[s.prop_win].winbar,
      diff = { vim.wo[s.src_win].diff, vim.wo[s.prop_win].diff },
      current_is_proposal = vim.api.nvim_get_current_buf() == s.prop_buf,
      cursor_line = vim.api.nvim_get_current_line(),
      pending = #review.pending_hunks(s.file),
    }
  end

  vim.cmd('%ClaifAsk Use f-strings and tidy the helpers')
  local s = H.review('the diff view')
  H.put('id', s.id)
  H.put('files', vim.tbl_map(function(f)
    return f.path
  end, s.proposal.files))
  H.put('view_first', view(s))

  H.feed(']f')
  H.put('view_after_next_file', view(s))
  H.put('helpers_buf_loaded', vim.fn.bufloaded(helpers_path) == 1)
  H.put('tabs', #vim.api.nvim_list_tabpages())
  -- `[f` goes back to app.py, `]f` twice wraps round to helpers.py again
  H.feed('[f')
  local wander = { view(s).src_name }
  H.feed(']f]f')
  table.insert(wander, view(s).src_name)
  H.feed(']f')
  table.insert(wander, view(s).src_name)
  H.put('wander', wander)

  H.feed('ga') -- the first hunk of helpers.py (`double`)
  H.wait(function()
    return #review.pending_hunks(s.file) == 1
  end, 'one helpers.py hunk left')
  local helpers_buf = vim.fn.bufnr(helpers_path)
  H.put('helpers_after_ga', H.lines(helpers_buf))
  H.put('view_after_ga', view(s))
  H.put('helpers_signs', #vim.api.nvim_buf_get_extmarks(helpers_buf, review.ns, 0, -1, {}))

  vim.cmd('ClaifReview app.py')
  H.put('view_after_review_cmd', view(s))
  H.put('app_signs', #vim.api.nvim_buf_get_extmarks(H.bufnr, review.ns, 0, -1, {}))
  H.feed('ga') -- app.py's only hunk (`greet`)
  H.wait(function()
    return review.sessions[s.id] and s.file.path == 'helpers.py'
  end, 'the view to move on to helpers.py')
  H.put('app_after_ga', H.lines())
  H.put('view_after_app_done', view(s))

  H.feed('gr') -- the last hunk (`half`)
  H.wait(function()
    return review.sessions[s.id] == nil
  end, 'the review to finish')
  local p = H.proposal(s.id)
  H.put('final_state', p and p.state)
  H.put('hunk_states', vim.tbl_map(function(f)
    return vim.tbl_map(function(h)
      return h.state
    end, f.hunks)
  end, p.files))
  H.put('helpers_final', H.lines(helpers_buf))
  H.put('tabs_after', #vim.api.nvim_list_tabpages())
  H.put('app_modified', vim.bo[H.bufnr].modified)
  H.put('helpers_modified', vim.bo[helpers_buf].modified)
end)
