-- The plugin's modules load, touch no global but Lua's and Neovim's own, and use only fields that the
-- claif modules they require have: a misspelt name or a function moved to another module would otherwise
-- be a nil read at run time, in whichever path no end-to-end test takes.
local T = ...
local bc = require('jit.bc')

local BUILTINS = {}
for _, name in ipairs({
  'vim', 'ipairs', 'pairs', 'type', 'tostring', 'tonumber', 'table', 'string', 'math', 'error', 'pcall',
  'xpcall', 'require', 'assert', 'select', 'next', 'os', 'io', 'debug', 'setmetatable', 'getmetatable',
  'rawget', 'rawset', 'coroutine', 'unpack', 'package',
}) do
  BUILTINS[name] = true
end

--- The globals a Lua file reads or writes, from its LuaJIT bytecode.
---@param path string
---@return string[]
local function globals(path)
  local out = {}
  bc.dump(assert(loadfile(path)), {
    write = function(_, s)
      table.insert(out, s)
    end,
    flush = function() end,
  }, true)
  local found = {}
  for line in table.concat(out):gmatch('[^\n]+') do
    local name = line:match('%sG[GS]ET%s.-"([^"]+)"')
    if name and not BUILTINS[name] then
      table.insert(found, name)
    end
  end
  return found
end

local plugin = vim.api.nvim_get_runtime_file('lua/claif/init.lua', false)[1]
local modules = vim.fn.glob(vim.fs.joinpath(vim.fs.dirname(plugin), '**', '*.lua'), false, true)

T.case('the check sees a global', function()
  local probe = vim.fn.tempname() .. '.lua'
  vim.fn.writefile({ 'local M = {}', 'function M.f() return undeclared_name end', 'return M' }, probe)
  T.eq(globals(probe), { 'undeclared_name' })
end)

T.case('the plugin has modules to check', function()
  T.eq(#modules >= 20, true, ('%d modules'):format(#modules))
end)

T.case('no module of the plugin reads or writes a global of its own', function()
  local found = {}
  for _, path in ipairs(modules) do
    local names = globals(path)
    if #names > 0 then
      found[vim.fn.fnamemodify(path, ':t')] = names
    end
  end
  T.eq(found, {})
end)

T.case('the plugin on the runtimepath is the one under test', function()
  T.eq(vim.fs.normalize(vim.fs.dirname(vim.fs.dirname(vim.fs.dirname(plugin)))), vim.fs.normalize(arg[1]))
end)

T.case('every module loads', function()
  local failed = {}
  for _, path in ipairs(modules) do
    local name = path:match('lua/(claif/.*)%.lua$'):gsub('/', '.'):gsub('%.init$', '')
    local ok, err = pcall(require, name)
    if not ok then
      failed[name] = tostring(err)
    end
  end
  T.eq(failed, {})
end)

T.case('every field a module uses of another claif module exists', function()
  local missing = {}
  for _, path in ipairs(modules) do
    local source = table.concat(vim.fn.readfile(path), '\n')
    for alias, name in source:gmatch("local ([%w_]+) = require%('(claif[%w._]*)'%)") do
      local module = require(name)
      for field in source:gmatch('%f[%w_.]' .. alias .. '%.([%a_][%w_]*)') do
        if module[field] == nil then
          table.insert(missing, ('%s: %s.%s'):format(vim.fn.fnamemodify(path, ':t'), name, field))
        end
      end
    end
  end
  T.eq(missing, {})
end)
