-- :checkhealth claif with the server running; :ClaifProviders; attaching to any filetype; ranges.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  vim.cmd('checkhealth claif')
  H.wait(function()
    return vim.bo.filetype == 'checkhealth' and #H.lines(0) > 5
  end, 'the health report')
  H.put('health', H.lines(0))
  vim.cmd('tabclose')

  -- A bad setting: the server reports it (window/showMessage), and checkhealth shows it.
  local settings = vim.deepcopy(H.client.settings)
  settings.claif.context = { budgetTokens = 1 }
  H.client.settings = settings
  H.client:notify('workspace/didChangeConfiguration', { settings = settings })
  H.wait(function()
    return #require('claif.state').server_problems > 0
  end, 'the server to report the bad setting')
  vim.cmd('checkhealth claif')
  H.wait(function()
    return vim.bo.filetype == 'checkhealth' and #H.lines(0) > 5
  end, 'the second health report')
  H.put('health_bad_setting', H.lines(0))
  vim.cmd('tabclose')

  -- :ClaifProviders lists the providers (through vim.notify); with a name it switches the provider.
  local function providers_list()
    for _, n in ipairs(H.result.notifications) do
      if n.msg:match('^provider: ') then
        return n.msg
      end
    end
  end
  vim.cmd('ClaifProviders')
  H.wait(providers_list, 'the providers list')
  H.put('providers_list', providers_list())
  local switched
  require('claif').providers('anthropic', function(_, result)
    switched = result
  end)
  H.wait(function()
    return switched
  end, 'claif.providers after switching')
  vim.wait(300) -- the server pulls the new settings
  local resp = H.client:request_sync('workspace/executeCommand', { command = 'claif.providers', arguments = { vim.empty_dict() } }, 5000)
  H.put('configured_after_switch', resp and resp.result and resp.result.configured)

  -- No `filetypes`: the server attaches to a buffer of any filetype.
  vim.cmd.edit(vim.fn.fnameescape(vim.fs.joinpath(H.env.root, 'notes.txt')))
  vim.bo.filetype = 'text'
  local notes = vim.api.nvim_get_current_buf()
  H.wait(function()
    return #vim.lsp.get_clients({ bufnr = notes, name = 'claif' }) == 1
  end, 'the client to attach to a text buffer')
  H.put('clients', #vim.lsp.get_clients({ name = 'claif' }))

  -- A characterwise selection keeps its columns (UTF-16 for the non-ASCII text).
  vim.api.nvim_buf_set_lines(notes, 0, -1, false, { 'héllo wörld', 'second line' })
  vim.cmd('normal! 1G0wv$')
  vim.api.nvim_feedkeys(vim.keycode('<Esc>'), 'x', false)
  local client_util = require('claif.client')
  H.put('charwise_range', client_util.range(notes, 1, 1, 'utf-16', true))
  H.put('utf8_range', client_util.range(notes, 1, 1, 'utf-8', true))
  H.put('line_range', client_util.range(notes, 1, 2, 'utf-16', false))
  vim.cmd('bwipeout!')
end)
