-- Progress of an ask without any user configuration: a spinner line in the command line naming the
-- provider and the instruction; none when a statusline shows claif's status or with `progress = false`;
-- a notification replacing itself with `progress = 'notify'`.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  H.start()
  H.watch_screen()
  local config = require('claif.config')
  --- Ask with `instruction` and wait until it is done; what the command line and notifications showed.
  local function ask(instruction)
    local messages, notifications = #H.result.screen_messages, #H.result.notifications
    local done = H.count_events('ClaifAskDone')
    local status = {}
    vim.cmd('1,$ClaifAsk ' .. instruction)
    H.wait(function()
      local now = require('claif').status()
      if now ~= '' and status[#status] ~= now then
        table.insert(status, now)
      end
      return H.count_events('ClaifAskDone') > done
    end, 'the ask "' .. instruction .. '" to finish')
    return {
      echoed = vim.tbl_map(function(m)
        return m.text
      end, vim.list_slice(H.result.screen_messages, messages + 1)),
      notified = vim.tbl_map(function(n)
        return n.msg
      end, vim.list_slice(H.result.notifications, notifications + 1)),
      status = status,
    }
  end
  H.put('default', ask('make it faster'))
  vim.go.statusline = "%f %{v:lua.require'claif'.status()}"
  H.put('statusline', ask('shorter names'))
  vim.go.statusline = ''
  config.options.progress = false
  H.put('off', ask('no progress please'))
  config.options.progress = 'notify'
  H.put('notify', ask('tell me in a notification'))
end)
