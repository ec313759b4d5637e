-- Shared by the Neovim scenario scripts (run with `nvim --headless -u NONE -i NONE -n -l <script>`).
-- Arguments come in CLAIFTEST_NVIM_* environment variables (set by tests/editors/neovim_harness.py); each
-- scenario records what it saw in `H.result` and `H.run` writes it as JSON to CLAIFTEST_NVIM_RESULT.
local H = {}

H.env = {
  root = assert(os.getenv('CLAIFTEST_NVIM_ROOT'), 'CLAIFTEST_NVIM_ROOT'),
  file = assert(os.getenv('CLAIFTEST_NVIM_FILE'), 'CLAIFTEST_NVIM_FILE'),
  result = assert(os.getenv('CLAIFTEST_NVIM_RESULT'), 'CLAIFTEST_NVIM_RESULT'),
  python = assert(os.getenv('CLAIFTEST_NVIM_PYTHON'), 'CLAIFTEST_NVIM_PYTHON'),
  plugin = assert(os.getenv('CLAIFTEST_NVIM_PLUGIN'), 'CLAIFTEST_NVIM_PLUGIN'),
  server_log = os.getenv('CLAIFTEST_NVIM_SERVER_LOG'),
  settings = os.getenv('CLAIFTEST_NVIM_SETTINGS') or '{}',
  timeout = tonumber(os.getenv('CLAIFTEST_NVIM_WAIT_MS') or '15000'),
}

H.result = { notifications = {}, progress = {}, user_events = {}, steps = {}, configuration = {} }

local t0 = vim.uv.hrtime()

--- Milliseconds since start.
---@return integer
function H.ms()
  return math.floor((vim.uv.hrtime() - t0) / 1e6)
end

--- Record a named value.
---@param key string
---@param value any
function H.put(key, value)
  H.result[key] = value
end

---@param name string
function H.step(name)
  table.insert(H.result.steps, { name = name, ms = H.ms() })
end

--- Wait until `cond()` is true, or fail naming `what`.
---@param cond fun(): any
---@param what string
---@param ms? integer
function H.wait(cond, what, ms)
  if not vim.wait(ms or H.env.timeout, function()
    return cond() and true or false
  end, 20) then
    error('timed out waiting for ' .. what, 0)
  end
end

---@param bufnr? integer
---@return string[]
function H.lines(bufnr)
  return vim.api.nvim_buf_get_lines(bufnr or H.bufnr, 0, -1, false)
end

--- The command starting the server.
---@return string[]
function H.server_cmd()
  local cmd = { H.env.python, '-m', 'claif_lsp', '--log-level', 'DEBUG' }
  if H.env.server_log then
    vim.list_extend(cmd, { '--log-file', H.env.server_log })
  end
  return cmd
end

--- Where this Neovim and the server it started keep their files: Neovim's stdpath()s and LSP log,
--- and the HOME and XDG variables of each process (the server's read from /proc).
---@return table
function H.isolation()
  local keys = { 'HOME', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_STATE_HOME', 'XDG_CACHE_HOME' }
  local nvim = { lsp_log = vim.lsp.get_log_path() }
  for _, what in ipairs({ 'config', 'data', 'state', 'cache', 'log' }) do
    nvim['stdpath_' .. what] = vim.fn.stdpath(what)
  end
  for _, key in ipairs(keys) do
    nvim[key] = vim.env[key] or vim.NIL
  end
  local servers = {}
  for _, pid in ipairs(vim.api.nvim_get_proc_children(vim.fn.getpid())) do
    local f = io.open(('/proc/%d/environ'):format(pid), 'rb')
    if f then
      local env = {}
      for entry in f:read('*a'):gmatch('[^%z]+') do
        local k, v = entry:match('^([^=]+)=(.*)$')
        if k and vim.list_contains(keys, k) then
          env[k] = v
        end
      end
      f:close()
      env.pid = pid
      table.insert(servers, env)
    end
  end
  return { nvim = nvim, servers = servers }
end

--- Load the plugin, start the server on the sample file, and wait until it has pulled its settings.
---@param opts? table extra `setup()` options
function H.start(opts)
  vim.opt.rtp:prepend(H.env.plugin)
  vim.notify = function(msg, level)
    table.insert(H.result.notifications, { msg = tostring(msg), level = level or vim.log.levels.INFO, ms = H.ms() })
  end
  vim.api.nvim_create_autocmd('LspProgress', {
    callback = function(args)
      local p = args.data.params
      local v = p.value or {}
      table.insert(H.result.progress, {
        token = tostring(p.token), kind = v.kind, title = v.title, message = v.message,
        cancellable = v.cancellable, ms = H.ms(),
      })
    end,
  })
  vim.api.nvim_create_autocmd('User', {
    pattern = 'Claif*',
    callback = function(args)
      table.insert(H.result.user_events, { event = args.match, ms = H.ms() })
    end,
  })
  local configured = false
  local default_configuration = vim.lsp.handlers['workspace/configuration']
  vim.lsp.handlers['workspace/configuration'] = function(...)
    configured = true
    local answer = default_configuration(...)
    table.insert(H.result.configuration, answer) -- what Neovim answers the server
    return answer
  end

  local settings = vim.json.decode(H.env.settings)
  require('claif').setup(vim.tbl_deep_extend('force', { cmd = H.server_cmd(), settings = settings }, opts or {}))

  vim.cmd.edit(vim.fn.fnameescape(H.env.file))
  H.bufnr = vim.api.nvim_get_current_buf()
  vim.bo[H.bufnr].filetype = 'python' -- -u NONE: no filetype detection
  H.wait(function()
    local c = vim.lsp.get_clients({ bufnr = H.bufnr, name = 'claif' })[1]
    H.client = c
    return c and c.initialized
  end, 'the claif client to initialize')
  H.wait(function()
    return configured
  end, 'the server to pull workspace/configuration')
  -- The server applies the pulled settings on its own time (a request of the plugin's may come first):
  -- wait until it reports the provider this run set up.
  local wanted = settings.provider
  H.wait(function()
    if wanted == nil then
      return true
    end
    local resp = H.client:request_sync('workspace/executeCommand', {
      command = 'claif.settings',
      arguments = { { uri = vim.uri_from_bufnr(H.bufnr) } },
    }, 5000, H.bufnr)
    return resp and resp.result and resp.result.settings and resp.result.settings.provider == wanted
  end, 'the server to apply the pulled settings')
  H.put('isolation', H.isolation())
  H.put('root_dir', H.client.root_dir)
  H.put('original', H.lines())
  H.step('started')
end

--- The single review session, once its diff view is open.
---@return claif.Session?
function H.open_session()
  for _, s in pairs(require('claif.review').sessions) do
    if s.prop_win and vim.api.nvim_win_is_valid(s.prop_win) then
      return s
    end
  end
end

--- Wait for a proposal that is not on view yet (announced, not opened), open it with :ClaifReview
--- from a window on its file, as a user would, and return its session.
---@param what string
---@return claif.Session
function H.review(what)
  local review = require('claif.review')
  local waiting ---@type claif.Session?
  H.wait(function()
    for _, s in pairs(review.sessions) do
      if not (s.prop_win and vim.api.nvim_win_is_valid(s.prop_win)) then
        waiting = s
        return true
      end
    end
  end, what .. ' (the proposal to arrive)')
  local s = waiting --[[@as claif.Session]]
  if vim.api.nvim_get_current_buf() ~= s.src_buf then
    vim.api.nvim_set_current_win(vim.fn.win_findbuf(s.src_buf)[1])
  end
  vim.cmd('ClaifReview')
  H.wait(H.open_session, what)
  return H.open_session() --[[@as claif.Session]]
end

--- A typist: from inside insert mode, one key every `every_ms` through the input queue (as from a
--- keyboard) until `done()` holds, then <Esc>. Returns the typed text and what `snapshot()` saw just
--- before the <Esc>. Starts insert mode with `start_keys` (e.g. `A`); needs `keyboard=True` runs.
---@param start_keys string
---@param done fun(): boolean
---@param snapshot fun(): table
---@param every_ms? integer
---@return string typed, table seen
function H.type_until(start_keys, done, snapshot, every_ms)
  local letters = 'abcdefghijklmnopqrstuvwxyz'
  local typed, seen, stopped = {}, nil, false
  local limit = math.floor(H.env.timeout * 2 / (every_ms or 30))
  local timer = assert(vim.uv.new_timer())
  timer:start(every_ms or 30, every_ms or 30, vim.schedule_wrap(function()
    if stopped then
      return
    end
    if done() or #typed >= limit then
      stopped = true
      timer:stop()
      seen = snapshot()
      seen.gave_up = #typed >= limit
      vim.api.nvim_input('<Esc>')
      return
    end
    local i = #typed % #letters + 1
    table.insert(typed, letters:sub(i, i))
    vim.api.nvim_input(letters:sub(i, i))
  end))
  -- `!` keeps insert mode after the keys ran out: Neovim waits for typed keys as it does for a user.
  vim.api.nvim_feedkeys(start_keys, 'nx!', false)
  return table.concat(typed), seen or { gave_up = true }
end

--- Where the user is: mode, whether app.py is the current buffer, the layout.
---@return table
function H.where()
  return {
    mode = vim.api.nvim_get_mode().mode,
    current_is_source = vim.api.nvim_get_current_buf() == H.bufnr,
    tabs = #vim.api.nvim_list_tabpages(),
    windows = #vim.api.nvim_list_wins(),
  }
end

--- Wait until the running ask reported progress (its answer is streaming).
function H.wait_streaming()
  H.wait(function()
    for _, p in ipairs(H.result.progress) do
      if p.kind == 'report' then
        return true
      end
    end
  end, 'the answer to start streaming')
end

--- How many `User` events of this name fired so far.
---@param name string
---@return integer
function H.count_events(name)
  return #vim.tbl_filter(function(e)
    return e.event == name
  end, H.result.user_events)
end

---@return integer
function H.session_count()
  return vim.tbl_count(require('claif.review').sessions)
end

--- Send a proposal id's `claif.proposal` synchronously.
---@param id string
---@return table?
function H.proposal(id)
  local resp = H.client:request_sync('workspace/executeCommand', { command = 'claif.proposal', arguments = { { proposal = id } } }, 5000)
  return resp and resp.result, resp and resp.err
end

--- Press keys as a user would (mappings apply).
---@param keys string
function H.feed(keys)
  vim.api.nvim_feedkeys(vim.keycode(keys), 'mx', false)
end

--- Record what Neovim draws in the message area and the tab labels, as a UI sees them: each message
--- (`H.result.screen_messages`: kind and text) and the latest tab labels (`H.result.tab_labels`).
function H.watch_screen()
  H.result.screen_messages, H.result.tab_labels = {}, {}
  local ns = vim.api.nvim_create_namespace('claiftest.screen')
  vim.ui_attach(ns, { ext_messages = true, ext_tabline = true }, function(event, ...)
    if event == 'msg_show' then
      local kind, content = ...
      local text = table.concat(vim.tbl_map(function(chunk)
        return chunk[2]
      end, content)):gsub('\n$', '')
      table.insert(H.result.screen_messages, { kind = kind, text = text, ms = H.ms() })
    elseif event == 'tabline_update' then
      local _, tabs = ...
      H.result.tab_labels = vim.tbl_map(function(t)
        return t.name
      end, tabs)
    end
  end)
end

--- Messages drawn since the `H.watch_screen()` call whose text contains `needle`.
---@param needle string
---@return string[]
function H.screen_messages_with(needle)
  local found = {}
  for _, m in ipairs(H.result.screen_messages or {}) do
    if m.text:find(needle, 1, true) then
      table.insert(found, m.text)
    end
  end
  return found
end

--- Run a scenario, write the result file and exit.
---@param scenario fun()
function H.run(scenario)
  local ok, err = xpcall(scenario, debug.traceback)
  if not ok then
    H.result.error = tostring(err)
  end
  H.result.ms = H.ms()
  H.result.final = H.bufnr and H.lines() or nil
  local f = assert(io.open(H.env.result, 'w'))
  f:write(vim.json.encode(H.result))
  f:close()
  for _, c in ipairs(vim.lsp.get_clients()) do
    c:stop()
  end
  vim.wait(2000, function()
    return #vim.lsp.get_clients() == 0
  end, 20)
  os.exit(ok and 0 or 1)
end

return H
