--- `:checkhealth claif`: the server executable and version, each provider's status, settings problems.
local client_util = require('claif.client')
local config = require('claif.config')
local state = require('claif.state')

local M = {}

local TIMEOUT_MS = 15000

--- The configured server command without transport arguments, for running subcommands.
---@return string[]?
local function base_command()
  local entry = vim.lsp.config[client_util.name]
  local cmd = entry and entry.cmd or config.options.cmd
  if type(cmd) ~= 'table' then
    return nil
  end
  return vim.tbl_filter(function(part)
    return part ~= 'serve' and part ~= '--stdio'
  end, cmd)
end

---@param cmd string[]
---@return vim.SystemCompleted
local function run(cmd)
  local ok, obj = pcall(vim.system, cmd, { text = true })
  if not ok then
    return { code = -1, signal = 0, stdout = '', stderr = tostring(obj) }
  end
  return obj:wait(TIMEOUT_MS)
end

---@param text string?
---@return string
local function first_line(text)
  return (vim.split(vim.trim(text or ''), '\n')[1] or '')
end

--- Check the server executable; returns the command to run subcommands with, or nil.
---@return string[]?
local function check_server()
  vim.health.start('claif: server')
  if vim.fn.has('nvim-0.11') == 1 then
    vim.health.ok('Neovim ' .. tostring(vim.version()))
  else
    vim.health.error('Neovim 0.11 or later is needed (vim.lsp.config, vim.lsp.enable)')
  end
  if not require('claif').did_setup then
    vim.health.warn('require("claif").setup() was not called', { 'Call it from your init.lua.' })
  elseif vim.lsp.is_enabled and not vim.lsp.is_enabled(client_util.name) then
    vim.health.warn(('the LSP config %q is not enabled'):format(client_util.name))
  end
  local cmd = base_command()
  if not cmd then
    vim.health.info('cmd is a function; the executable cannot be checked')
    return nil
  end
  if vim.fn.executable(cmd[1]) ~= 1 then
    vim.health.error(('server executable not found: %s'):format(cmd[1]), {
      'Install it from a claif-lsp checkout: uv tool install ./ --with ./providers/claif-anthropic (see :help claif).',
      'Or set cmd in require("claif").setup({ cmd = { "/path/to/claif-lsp" } }).',
    })
    return nil
  end
  vim.health.ok('server executable: ' .. vim.fn.exepath(cmd[1]) .. (#cmd > 1 and (' ' .. table.concat(cmd, ' ', 2)) or ''))
  local version = run(vim.list_extend(vim.deepcopy(cmd), { '--version' }))
  if version.code == 0 then
    vim.health.ok('version: ' .. first_line(version.stdout ~= '' and version.stdout or version.stderr))
  else
    vim.health.error(('%s --version failed (exit %s): %s'):format(table.concat(cmd, ' '), tostring(version.code), first_line(version.stderr)))
  end
  return cmd
end

--- Providers from the running client (`claif.providers`), else from `claif-lsp providers --json`.
---@param cmd string[]?
---@return table? result `{active?, configured?, providers}`
---@return string source
local function providers(cmd)
  local client = client_util.get()
  if client then
    local resp = client:request_sync('workspace/executeCommand', { command = 'claif.providers', arguments = { vim.empty_dict() } }, TIMEOUT_MS)
    if resp and resp.result then
      return resp.result, 'the running server'
    end
  end
  if not cmd then
    return nil, 'nothing'
  end
  local out = run(vim.list_extend(vim.deepcopy(cmd), { 'providers', '--json' }))
  if out.code ~= 0 then
    return nil, first_line(out.stderr)
  end
  local ok, list = pcall(vim.json.decode, out.stdout)
  if not ok or type(list) ~= 'table' then
    return nil, 'unreadable output of providers --json'
  end
  local configured = config.options.settings.provider or 'auto'
  return { configured = configured, providers = list }, 'claif-lsp providers --json'
end

---@param cmd string[]?
local function check_providers(cmd)
  vim.health.start('claif: providers')
  local result, source = providers(cmd)
  if not result then
    vim.health.error('cannot list providers: ' .. source)
    return
  end
  local list = result.providers or {}
  if #list == 0 then
    vim.health.error('no providers installed', { 'Install one, e.g. pip install claif-anthropic (or claif-replay for offline use).' })
    return
  end
  local configured, active = result.configured, result.active
  vim.health.info(('provider setting: %s; active: %s (from %s)'):format(tostring(configured), tostring(active or '?'), source))
  local found = false
  for _, p in ipairs(list) do
    local name = p.name
    local label = ('%s (%s %s): %s'):format(name, p.distribution or '?', p.version or '?', p.state)
    local reason = p.reason and p.reason ~= '' and (' — ' .. p.reason) or ''
    local chosen = name == configured or name == active
    found = found or name == configured
    if p.enabled == false then
      vim.health.info(label .. ' (disabled)' .. reason)
    elseif p.state == 'ready' then
      vim.health.ok(label .. reason)
    elseif chosen then
      vim.health.error(label .. reason)
    else
      vim.health.warn(label .. reason)
    end
  end
  if configured and configured ~= 'auto' and not found then
    vim.health.error(('the provider setting names %q, which is not installed'):format(configured))
  end
end

local function check_settings()
  vim.health.start('claif: settings')
  local problems = vim.list_extend(vim.deepcopy(config.problems), state.server_problems)
  if #problems == 0 then
    vim.health.ok('no settings problems')
  end
  for _, problem in ipairs(config.problems) do
    vim.health.error('setup(): ' .. problem)
  end
  for _, problem in ipairs(state.server_problems) do
    vim.health.warn(problem)
  end
  if config.options.settings.preview ~= 'none' then
    vim.health.warn('settings.preview is not "none": the server opens its own diff document besides the review view')
  end
end

function M.check()
  local cmd = check_server()
  check_providers(cmd)
  check_settings()
end

return M
