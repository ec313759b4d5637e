--- The server's providers: listing them (`claif.providers`) and switching the `provider` setting.
local client_util = require('claif.client')

local M = {}

--- Lines describing the `claif.providers` result.
---@param result table
---@return string[]
function M.format(result)
  local lines = { ('provider: %s (active: %s)'):format(tostring(result.configured), tostring(result.active or 'none')) }
  for _, p in ipairs(result.providers or {}) do
    table.insert(lines, ('%s %-12s %-16s %s'):format(p.name == result.active and '*' or ' ', p.name, p.state .. (p.enabled == false and ' (disabled)' or ''), p.reason or ''))
  end
  return lines
end

--- List providers, or switch the `provider` setting of the running server to `name`.
---@param name? string
---@param callback? fun(err: any, result: any)
function M.providers(name, callback)
  local client = client_util.require(0)
  if not client then
    return
  end
  if name and name ~= '' then
    local settings = vim.deepcopy(client.settings or {})
    settings.claif = vim.tbl_extend('force', settings.claif or {}, { provider = name })
    client.settings = settings
    client:notify('workspace/didChangeConfiguration', { settings = settings })
    vim.notify(('claif: provider set to %s'):format(name), vim.log.levels.INFO)
  end
  client_util.execute(client, 'claif.providers', nil, nil, function(err, result)
    if err then
      vim.notify('claif: ' .. client_util.message(err), vim.log.levels.ERROR)
    elseif not name or name == '' then
      vim.notify(table.concat(M.format(result), '\n'), vim.log.levels.INFO)
    end
    if callback then
      callback(err, result)
    end
  end)
end

--- Provider names for command-line completion (asked of the server of the current buffer).
---@return string[]
function M.names()
  local client = client_util.get(0)
  if not client then
    return {}
  end
  local resp = client:request_sync('workspace/executeCommand', { command = 'claif.providers', arguments = { vim.empty_dict() } }, 1000)
  local names = {}
  for _, p in ipairs(resp and resp.result and resp.result.providers or {}) do
    table.insert(names, p.name)
  end
  return names
end

return M
