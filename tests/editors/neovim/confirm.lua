-- approval = "confirm": the server sends the edit at once with needsConfirmation; the plugin shows it
-- and applies it only when the user chooses Apply. First ask: Discard; second ask: Apply.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  local choices = { 'Discard', 'Apply' }
  local shown = {}
  vim.ui.select = function(items, opts, on_choice)
    local floats = {}
    for _, win in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(win).relative ~= '' then
        table.insert(floats, vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false))
      end
    end
    table.insert(shown, { items = items, prompt = opts.prompt, floats = floats })
    local choice = table.remove(choices, 1)
    vim.schedule(function()
      on_choice(choice)
    end)
  end
  local function ask_and_wait(n)
    local done = false
    require('claif').ask({ line1 = 1, line2 = 20, instruction = 'Rename s to result' }, function()
      done = true
    end)
    H.wait(function()
      return done and #shown >= n
    end, 'ask ' .. n .. ' and its confirmation')
    vim.wait(300)
  end
  ask_and_wait(1)
  H.put('after_discard', H.lines())
  ask_and_wait(2)
  H.wait(function()
    return H.lines()[5] ~= H.result.original[5]
  end, 'the applied edit')
  H.put('after_apply', H.lines())
  H.put('shown', shown)
  local states = {}
  local server_states = {}
  for id, p in pairs(require('claif.store').proposals) do
    states[id] = p.state
    server_states[id] = (H.proposal(id) or {}).state
  end
  H.put('server_states', server_states)
  H.put('states', states)
  H.put('float_count_after', #vim.tbl_filter(function(w)
    return vim.api.nvim_win_get_config(w).relative ~= ''
  end, vim.api.nvim_list_wins()))
end)
