-- Runs one unit spec of the plugin's pure modules in headless Neovim and writes what each case did as JSON:
--   nvim --headless -u NONE -i NONE -n -l run.lua <plugin dir> <spec.lua> <result.json>
-- A spec is a chunk called with `T`: it declares cases with `T.case(name, fn)` and checks with `T.eq`.
local plugin, spec, out = arg[1], arg[2], arg[3]
vim.opt.runtimepath:prepend(plugin)

local T = {}
local cases = {} ---@type {name: string, fn: fun()}[]

--- Declare a case.
---@param name string
---@param fn fun()
function T.case(name, fn)
  table.insert(cases, { name = name, fn = fn })
end

--- Fail the case unless `actual` deep-equals `expected`.
---@param actual any
---@param expected any
---@param what? string
function T.eq(actual, expected, what)
  if not vim.deep_equal(actual, expected) then
    error(('%sexpected %s, got %s'):format(what and (what .. ': ') or '', vim.inspect(expected), vim.inspect(actual)), 2)
  end
end

--- A placed hunk replacing rows `first..last` (end exclusive, whole lines) with `new` lines.
---@param id string
---@param first integer
---@param last integer
---@param new string[]
---@param hunk_state? string default `pending`
---@return claif.Hunk
function T.hunk(id, first, last, new, hunk_state)
  local text = #new > 0 and (table.concat(new, '\n') .. '\n') or ''
  return {
    id = id,
    state = hunk_state or 'pending',
    range = { start = { line = first, character = 0 }, ['end'] = { line = last, character = 0 } },
    oldText = '',
    newText = text,
  }
end

local results = {}
local ok, err = pcall(function()
  assert(loadfile(spec))(T)
end)
if not ok then
  results = { { name = '(loading the spec)', ok = false, error = tostring(err) } }
else
  for _, c in ipairs(cases) do
    local passed, e = xpcall(c.fn, debug.traceback)
    table.insert(results, { name = c.name, ok = passed, error = passed and vim.NIL or tostring(e) })
  end
end
local f = assert(io.open(out, 'w'))
f:write(vim.json.encode(results))
f:close()
