-- Settings that run a program or redirect traffic go to the server as initializationOptions (which it
-- trusts), never in the answer to workspace/configuration (which some editors fill from the repository).
-- The initialize request is recorded as it leaves for the server; an ask shows `record` was honoured.
local H = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)), 'harness.lua'))

H.run(function()
  local server_cmd = H.server_cmd()
  H.start({
    cmd = function(dispatchers, config)
      local rpc = vim.lsp.rpc.start(server_cmd, dispatchers, { cwd = config.cmd_cwd, env = config.cmd_env })
      local request = rpc.request
      rpc.request = function(method, params, ...)
        if method == 'initialize' then
          H.put('initialization_options', params.initializationOptions or vim.NIL)
        end
        return request(method, params, ...)
      end
      return rpc
    end,
  })
  local done = false
  require('claif').ask({ line1 = 1, line2 = 20, instruction = 'Rename s to result' }, function()
    done = true
  end)
  H.wait(function()
    return done
  end, 'the ask')
end)
