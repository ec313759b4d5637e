--- Options of the claif plugin: defaults, and the values `setup()` was given.
local M = {}

---@class claif.ReviewKeys
---@field accept_hunk string|false
---@field reject_hunk string|false
---@field accept_all string|false
---@field reject_all string|false
---@field next_hunk string|false
---@field prev_hunk string|false
---@field next_file string|false
---@field prev_file string|false
---@field close string|false

---@class claif.ReviewOptions
---@field auto_open boolean open the diff view as soon as a proposal arrives
---@field layout 'tab'|'vsplit' where the diff view opens
---@field keys claif.ReviewKeys keys of the proposal buffer in the diff view
---@field signs boolean mark pending hunks in the source buffer

---@class claif.Options
---@field name string name of the LSP config
---@field cmd string[]|fun(dispatchers: vim.lsp.rpc.Dispatchers): vim.lsp.rpc.PublicClient command starting the server
---@field filetypes string[]? filetypes to attach to; nil attaches to every buffer with a filetype
---@field root_markers string[] files or folders marking the workspace root
---@field settings table settings of section `claif` (the server's settings); `preview` defaults to `none`
---@field init_options table? `initializationOptions`
---@field commands boolean create the `:Claif*` user commands
---@field confirm_edits boolean ask before applying edits whose change annotations need confirmation
---@field review claif.ReviewOptions
---@field lsp table? extra fields merged into the `vim.lsp.config()` entry

---@type claif.Options
M.defaults = {
  name = 'claif',
  cmd = { 'claif-lsp' },
  filetypes = nil,
  root_markers = { '.claif.toml', '.git', '.hg', '.jj' },
  settings = {},
  init_options = nil,
  commands = true,
  confirm_edits = true,
  review = {
    auto_open = true,
    layout = 'tab',
    signs = true,
    keys = {
      accept_hunk = 'ga',
      reject_hunk = 'gr',
      accept_all = 'gA',
      reject_all = 'gR',
      next_hunk = ']h',
      prev_hunk = '[h',
      next_file = ']f',
      prev_file = '[f',
      close = 'q',
    },
  },
  lsp = nil,
}

---@type claif.Options
M.options = vim.deepcopy(M.defaults)

--- Problems found in the options given to `setup()` (shown by `:checkhealth claif`).
---@type string[]
M.problems = {}

---@param opts table?
---@return claif.Options
function M.set(opts)
  opts = opts or {}
  M.problems = {}
  for key in pairs(opts) do
    if M.defaults[key] == nil and key ~= 'filetypes' and key ~= 'init_options' and key ~= 'lsp' then
      table.insert(M.problems, ('unknown option %q'):format(key))
    end
  end
  local options = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts)
  -- Lists replace, they are not merged index by index.
  for _, key in ipairs({ 'cmd', 'filetypes', 'root_markers' }) do
    if opts[key] ~= nil then
      options[key] = opts[key]
    end
  end
  if type(options.cmd) ~= 'function' and (type(options.cmd) ~= 'table' or not options.cmd[1]) then
    table.insert(M.problems, 'cmd must be a non-empty list of strings or a function')
    options.cmd = vim.deepcopy(M.defaults.cmd)
  end
  if options.settings.preview == nil then
    -- The plugin draws the review UI itself; the server must not open its own .diff document.
    options.settings = vim.tbl_extend('force', options.settings, { preview = 'none' })
  end
  if options.review.layout ~= 'tab' and options.review.layout ~= 'vsplit' then
    table.insert(M.problems, ('review.layout must be "tab" or "vsplit", not %q'):format(tostring(options.review.layout)))
    options.review.layout = 'tab'
  end
  M.options = options
  return options
end

return M
