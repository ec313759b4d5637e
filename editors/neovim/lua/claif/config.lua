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
---@field refine string|false
---@field answer string|false
---@field close string|false

---@class claif.ReviewOptions
---@field auto_open boolean open the diff view by itself once a proposal arrived and the user stopped typing
---@field layout 'tab'|'vsplit' where the diff view opens
---@field keys claif.ReviewKeys keys of the proposal buffer in the diff view
---@field signs boolean mark pending hunks in the source buffer

---@class claif.Options
---@field name string name of the LSP config
---@field cmd string[]|fun(dispatchers: vim.lsp.rpc.Dispatchers): vim.lsp.rpc.PublicClient command starting the server
---@field filetypes string[]? filetypes to attach to; nil attaches to every buffer with a filetype
---@field root_markers string[] files or folders marking the workspace root
---@field settings table the server's settings; `preview` defaults to `none`. Keys that run a program or
--- send code or keys elsewhere go in `initializationOptions`, the rest answer `workspace/configuration`
---@field init_options table? more `initializationOptions`
---@field commands boolean create the `:Claif*` user commands
---@field confirm_edits boolean ask before applying edits whose change annotations need confirmation
---@field review claif.ReviewOptions
---@field progress 'auto'|'echo'|'notify'|false how asks show their progress: `auto` echoes a spinner line unless
--- fidget.nvim, noice.nvim, mini.notify or a statusline showing it is there (a notification with nvim-notify or snacks)
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
  progress = 'auto',
  review = {
    auto_open = false,
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
      refine = 'gf',
      answer = 'gp',
      close = 'q',
    },
  },
  lsp = nil,
}

---@type claif.Options
M.options = vim.deepcopy(M.defaults)

--- Provider settings that run a program, pick the secret sent, or choose the server your code goes to.
--- The server honours them only from `initializationOptions`, the environment and the user's own config
--- file, never from `workspace/configuration`, which editors may fill from a cloned repository.
M.TRUSTED_PROVIDER_KEYS = { 'apiKeyCommand', 'apiKeyEnv', 'baseUrl', 'path', 'extraArgs', 'env' }
--- Provider `options` of the same kind: Gemini CLI's `trustWorkspace` makes it load the folder's own settings.
M.TRUSTED_PROVIDER_OPTIONS = { 'trustWorkspace' }
--- Top-level settings of the same kind: `record` writes a file, `approval` decides what applies unasked.
M.TRUSTED_TOP_KEYS = { 'record', 'approval' }

---@param key string
---@return string the key in camelCase, as the server spells it
local function camel(key)
  return (key:gsub('_(%l)', string.upper))
end

---@param key any
---@param names string[]
---@return boolean
local function one_of(key, names)
  return type(key) == 'string' and vim.list_contains(names, camel(key))
end

--- Split the server's settings in two: the keys only the user may set (sent as `initializationOptions`,
--- since everything given to `setup()` comes from the user) and the rest (`workspace/configuration`).
---@param settings table
---@return table rest, table trusted
function M.split_settings(settings)
  local rest, trusted = {}, {}
  for key, value in pairs(settings) do
    if one_of(key, M.TRUSTED_TOP_KEYS) then
      trusted[key] = value
    elseif camel(tostring(key)) == 'providers' and type(value) == 'table' and next(value) then
      -- An emptied table would be sent as `[]`: providers left with nothing are left out.
      local providers = {}
      for name, provider in pairs(value) do
        local kept, moved = provider, {}
        if type(provider) == 'table' then
          kept = {}
          for k, v in pairs(provider) do
            if one_of(k, M.TRUSTED_PROVIDER_KEYS) then
              moved[k] = v
            elseif camel(tostring(k)) == 'options' and type(v) == 'table' then
              local options, user_only = {}, {}
              for option, x in pairs(v) do
                if vim.list_contains(M.TRUSTED_PROVIDER_OPTIONS, option) then
                  user_only[option] = x
                else
                  options[option] = x
                end
              end
              if next(user_only) then
                moved[k] = user_only
              end
              if next(options) or not next(user_only) then
                kept[k] = options
              end
            else
              kept[k] = v
            end
          end
        end
        if type(kept) ~= 'table' or next(kept) or not next(moved) then
          providers[name] = kept
        end
        if next(moved) then
          trusted[key] = trusted[key] or {}
          trusted[key][name] = moved
        end
      end
      if next(providers) then
        rest[key] = providers
      end
    else
      rest[key] = value
    end
  end
  return rest, trusted
end

--- The `initializationOptions` to send: `init_options` with the trusted settings merged in (under
--- `claif` when `init_options` nests its settings there).
---@param options claif.Options
---@return table?
function M.initialization_options(options)
  local _, trusted = M.split_settings(options.settings)
  local init = vim.deepcopy(options.init_options or {})
  if type(init.claif) == 'table' then
    init.claif = vim.tbl_deep_extend('force', init.claif, trusted)
  else
    init = vim.tbl_deep_extend('force', init, trusted)
  end
  return next(init) and init or nil
end

--- A setting as `setup()` gave it (the server's value may also come from its config file or environment).
---@param key string
---@return any
function M.setting(key)
  return (M.options.settings or {})[key]
end

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
  if not vim.list_contains({ 'auto', 'echo', 'notify', false }, options.progress) then
    table.insert(M.problems, ('progress must be "auto", "echo", "notify" or false, not %q'):format(tostring(options.progress)))
    options.progress = 'auto'
  end
  M.options = options
  return options
end

return M
