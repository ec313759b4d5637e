--- Asking, explaining, deciding, cancelling: the `:Claif*` user commands and their Lua functions.
local client_util = require('claif.client')
local config = require('claif.config')
local messages = require('claif.messages')
local review = require('claif.review')
local state = require('claif.state')

local M = {}

local REQUEST_CANCELLED = -32800

---@param event string
---@param data table
local function fire(event, data)
  vim.api.nvim_exec_autocmds('User', { pattern = event, modeline = false, data = data })
end

---@class claif.AskOptions
---@field bufnr? integer buffer to ask about (default: current)
---@field line1? integer 1-based first line (default: cursor line)
---@field line2? integer 1-based last line (default: line1)
---@field charwise? boolean use the columns of the last characterwise visual selection
---@field range? lsp.Range an explicit LSP range (wins over the lines)
---@field action? string `ask`, `explain`, `refactor`, `docstrings`, `tests`, `fix`, `custom:<n>`
---@field instruction? string
---@field provider? string
---@field providers? string[]
---@field diagnostic? table

--- Show a Markdown answer (explain-type actions) in a scratch buffer beside the current window. The
--- answer arrives on its own time: its window opens without the focus, so typing goes on where it was.
---@param answer string
---@param title? string
---@return integer bufnr
function M.show_answer(answer, title)
  local buf = vim.api.nvim_create_buf(false, true)
  vim.bo[buf].bufhidden = 'wipe'
  local lines = vim.split(answer, '\n', { plain = true })
  if title then
    table.insert(lines, 1, '# ' .. title)
    table.insert(lines, 2, '')
  end
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = 'markdown'
  pcall(vim.api.nvim_buf_set_name, buf, ('claif://answer/%s'):format(state.next_request_id()))
  local win = vim.api.nvim_open_win(buf, false, { split = 'right', win = 0 })
  vim.wo[win].wrap = true
  vim.wo[win].linebreak = true
  vim.keymap.set('n', 'q', '<cmd>close<cr>', { buffer = buf, nowait = true, desc = 'claif: close the answer' })
  messages.say('answer ready in the window on the right (q there closes it)')
  fire('ClaifAnswer', { bufnr = buf, winid = win })
  return buf
end

--- Send `claif.ask` and handle its result: open the review of each proposal, or show the answer.
---@param client vim.lsp.Client
---@param bufnr integer
---@param arg table the `claif.ask` argument
---@param callback? fun(err: lsp.ResponseError?, result: any)
---@return string requestId
function M.send_ask(client, bufnr, arg, callback)
  arg.requestId = arg.requestId or state.next_request_id()
  local request_id = arg.requestId
  state.asks[request_id] = { request_id = request_id, client_id = client.id, bufnr = bufnr, action = arg.action or 'ask' }
  local mark = messages.mark()
  client_util.execute(client, 'claif.ask', arg, bufnr, function(err, result)
    if not state.asks[request_id] then
      return -- already finished as cancelled
    end
    state.asks[request_id] = nil
    if err then
      if err.code == REQUEST_CANCELLED or tostring(err.message):lower():find('cancel') then
        messages.say('cancelled')
      else
        messages.say_once(mark, client_util.message(err), vim.log.levels.ERROR)
      end
    elseif type(result) == 'table' then
      local ids = result.proposals
      if type(ids) == 'table' then
        if #ids == 0 then
          messages.say('no proposal (the answer held no edit)', vim.log.levels.WARN)
        end
        -- With approval `confirm` or `auto` the server sends the edit itself (see claif.apply_edit).
        local approval = vim.tbl_get(client.settings or {}, 'claif', 'approval') or config.setting('approval')
        for _, id in ipairs(ids) do
          if not state.proposals[id] then -- `claif/proposalsChanged` may have come first
            state.remember(id, client.id, 'pending')
          end
          if approval ~= 'confirm' and approval ~= 'auto' then
            review.start(client, id, { bufnr = bufnr })
          end
        end
      elseif type(result.answer) == 'string' then
        M.show_answer(result.answer)
      elseif type(result.document) == 'string' then
        local doc = vim.uri_to_bufnr(result.document)
        vim.fn.bufload(doc)
        vim.api.nvim_open_win(doc, false, { split = 'right', win = 0 })
      end
    end
    fire('ClaifAskDone', { request = request_id, result = result, error = err })
    if callback then
      callback(err, result)
    end
  end, { workDoneToken = request_id })
  return request_id
end

--- Finish a running ask the server cancelled. Neovim's RPC layer drops the `RequestCancelled`
--- answer to the `claif.ask` request, so its callback never runs; `claif.cancel`'s result and the
--- progress `end` tell us instead.
---@param request_id string
function M.finish_cancelled(request_id)
  if not state.asks[request_id] then
    return
  end
  state.asks[request_id] = nil
  local err = { code = REQUEST_CANCELLED, message = 'cancelled' }
  messages.say('cancelled')
  fire('ClaifAskDone', { request = request_id, error = err })
end

--- Prompt for an instruction.
---@param callback fun(instruction: string?)
function M.prompt(callback)
  vim.ui.input({ prompt = 'Ask claif: ' }, function(input)
    if input == nil or vim.trim(input) == '' then
      return callback(nil)
    end
    callback(input)
  end)
end

--- Ask about a range of a buffer. Without an instruction (action `ask`), prompts for one.
---@param opts? claif.AskOptions
---@param callback? fun(err: lsp.ResponseError?, result: any)
function M.ask(opts, callback)
  opts = opts or {}
  local bufnr = vim._resolve_bufnr(opts.bufnr)
  local client = client_util.require(bufnr)
  if not client then
    return
  end
  local line1 = opts.line1 or vim.api.nvim_win_get_cursor(0)[1]
  local line2 = opts.line2 or line1
  local arg = {
    uri = vim.uri_from_bufnr(bufnr),
    range = opts.range or client_util.range(bufnr, line1, line2, client.offset_encoding, opts.charwise),
    action = opts.action or 'ask',
    instruction = opts.instruction,
    provider = opts.provider,
    providers = opts.providers,
    diagnostic = opts.diagnostic,
  }
  if arg.action == 'ask' and (arg.instruction == nil or arg.instruction == '') then
    M.prompt(function(instruction)
      if instruction then
        arg.instruction = instruction
        M.send_ask(client, bufnr, arg, callback)
      end
    end)
    return
  end
  M.send_ask(client, bufnr, arg, callback)
end

--- `vim.lsp.commands['claif.ask']`: the server's "Ask …" code action; prompts when it has no instruction.
---@param command lsp.Command
---@param ctx table
function M.lsp_ask(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if not client then
    return
  end
  local arg = vim.deepcopy((command.arguments or {})[1] or {})
  local bufnr = ctx.bufnr or vim.uri_to_bufnr(arg.uri)
  if (arg.action == nil or arg.action == 'ask') and (arg.instruction == nil or arg.instruction == '') then
    M.prompt(function(instruction)
      if instruction then
        arg.instruction = instruction
        M.send_ask(client, bufnr, arg)
      end
    end)
  else
    M.send_ask(client, bufnr, arg)
  end
end

--- `vim.lsp.commands['claif.accept'|'claif.reject']`: code lenses and code actions on hunks go
--- through the review so its view and signs follow.
---@param verb 'accept'|'reject'
---@return fun(command: lsp.Command, ctx: table)
function M.lsp_decide(verb)
  return function(command, ctx)
    local arg = (command.arguments or {})[1] or {}
    local session = review.sessions[arg.proposal]
    if session then
      return review.decide(session, verb, arg.hunks)
    end
    local client = vim.lsp.get_client_by_id(ctx.client_id)
    if client then
      local apply_edit = require('claif.apply_edit')
      apply_edit.expect(client.id, verb == 'accept' and 1 or 0)
      local mark = messages.mark()
      client_util.execute(client, 'claif.' .. verb, arg, ctx.bufnr, function(err)
        apply_edit.expect(client.id, verb == 'accept' and -1 or 0)
        local text = err and messages.strip(client_util.message(err))
        if text and not messages.said_since(mark, text) then
          messages.say(('%s failed: %s'):format(verb, text), vim.log.levels.ERROR)
        end
      end)
    end
  end
end

--- Accept or reject the newest open proposal touching the current buffer, whole.
---@param verb 'accept'|'reject'
---@param callback? fun(err: any, result: any)
function M.decide_all(verb, callback)
  local session = review.session_for(vim.api.nvim_get_current_buf())
  if not session then
    vim.notify('claif: no pending proposal for this buffer', vim.log.levels.WARN)
    return
  end
  review.decide(session, verb, nil, callback)
end

--- Accept or reject the hunks on lines `line1..line2` (1-based) of the current buffer.
---@param verb 'accept'|'reject'
---@param line1? integer
---@param line2? integer
---@param callback? fun(err: any, result: any)
function M.decide_hunks(verb, line1, line2, callback)
  local row = vim.api.nvim_win_get_cursor(0)[1]
  line1 = line1 or row
  line2 = line2 or line1
  review.decide_at(verb, vim.api.nvim_get_current_buf(), line1 - 1, line2 - 1, callback)
end

--- Cancel running asks (`claif.cancel`); without `request`, every running ask.
---@param request? string
---@param callback? fun(err: any, result: any)
function M.cancel(request, callback)
  local client = client_util.require(0)
  if not client then
    return
  end
  client_util.execute(client, 'claif.cancel', { request = request }, nil, function(err, result)
    if err then
      vim.notify('claif: cancel failed: ' .. client_util.message(err), vim.log.levels.ERROR)
    else
      local cancelled = type(result) == 'table' and type(result.cancelled) == 'table' and result.cancelled or {}
      for _, id in ipairs(cancelled) do
        M.finish_cancelled(tostring(id))
      end
      local n = #cancelled
      vim.notify(('claif: cancelled %d ask%s'):format(n, n == 1 and '' or 's'), vim.log.levels.INFO)
    end
    if callback then
      callback(err, result)
    end
  end)
end

--- Lines describing the `claif.providers` result.
---@param result table
---@return string[]
function M.format_providers(result)
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
      vim.notify(table.concat(M.format_providers(result), '\n'), vim.log.levels.INFO)
    end
    if callback then
      callback(err, result)
    end
  end)
end

--- Provider names for command-line completion.
---@return string[]
local function complete_providers()
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

--- Open the diff view of the newest pending proposal of the current buffer, at this buffer's file;
--- with `file` (a path of the proposal, or its 1-based index), at that file.
---@param file? string
function M.review(file)
  local bufnr = vim.api.nvim_get_current_buf()
  local session = review.session_for(bufnr)
  if not session then
    vim.notify('claif: no pending proposal for this buffer', vim.log.levels.WARN)
    return
  end
  local target = file and review.find_file(session, file)
  if not file then
    for _, f in ipairs(session.proposal.files or {}) do
      if review.find_buf(f.uri) == bufnr and f.uri ~= session.file.uri then
        target = f
      end
    end
  end
  if file and not target then
    local paths = vim.tbl_map(function(f)
      return f.path or f.uri
    end, session.proposal.files or {})
    vim.notify(('claif: proposal %s has no file %q; its files: %s'):format(session.id, file, table.concat(paths, ', ')), vim.log.levels.ERROR)
    return
  end
  review.open_view(session)
  if target then
    review.show_file(session, target)
  end
end

--- Paths of the proposal's files, for command-line completion of `:ClaifReview`.
---@param lead string
---@return string[]
local function complete_files(lead)
  local session = review.session_for(vim.api.nvim_get_current_buf())
  local paths = {}
  for _, f in ipairs(session and session.proposal.files or {}) do
    if f.path and vim.startswith(f.path, lead) then
      table.insert(paths, f.path)
    end
  end
  return paths
end

---@param opts vim.api.keyset.create_user_command.command_args
---@return integer line1, integer line2, boolean charwise
local function lines_of(opts)
  return opts.line1, opts.line2, opts.range > 0 and vim.fn.visualmode() == 'v'
end

--- Create the user commands.
function M.create()
  local cmd = vim.api.nvim_create_user_command
  cmd('ClaifAsk', function(opts)
    local line1, line2, charwise = lines_of(opts)
    M.ask({ line1 = line1, line2 = line2, charwise = charwise, instruction = opts.args ~= '' and opts.args or nil })
  end, { nargs = '*', range = true, desc = 'claif: ask the model to change the selection or the current line' })
  cmd('ClaifExplain', function(opts)
    local line1, line2, charwise = lines_of(opts)
    M.ask({ line1 = line1, line2 = line2, charwise = charwise, action = 'explain', instruction = opts.args ~= '' and opts.args or nil })
  end, { nargs = '*', range = true, desc = 'claif: explain the selection or the current line' })
  cmd('ClaifAccept', function()
    M.decide_all('accept')
  end, { desc = 'claif: accept the whole proposal for this buffer' })
  cmd('ClaifReject', function()
    M.decide_all('reject')
  end, { desc = 'claif: reject the whole proposal for this buffer' })
  cmd('ClaifAcceptHunk', function(opts)
    M.decide_hunks('accept', opts.line1, opts.line2)
  end, { range = true, desc = 'claif: accept the hunks under the cursor or in the range' })
  cmd('ClaifRejectHunk', function(opts)
    M.decide_hunks('reject', opts.line1, opts.line2)
  end, { range = true, desc = 'claif: reject the hunks under the cursor or in the range' })
  cmd('ClaifReview', function(opts)
    M.review(opts.args ~= '' and opts.args or nil)
  end, { nargs = '?', complete = complete_files, desc = 'claif: open the diff view of the proposal for this buffer, at a file' })
  cmd('ClaifProviders', function(opts)
    M.providers(opts.args)
  end, { nargs = '?', complete = complete_providers, desc = 'claif: list providers, or switch to one' })
  cmd('ClaifCancel', function(opts)
    M.cancel(opts.args ~= '' and opts.args or nil)
  end, { nargs = '?', desc = 'claif: cancel running asks' })
end

return M
