--- Asking and cancelling: `claif.ask` with its progress token, its result (proposals to review or an
--- answer to show), and `claif.cancel`.
local answer = require('claif.answer')
local client_util = require('claif.client')
local config = require('claif.config')
local events = require('claif.events')
local messages = require('claif.messages')
local review = require('claif.review')
local state = require('claif.state')
local store = require('claif.store')

local M = {}

local REQUEST_CANCELLED = -32800

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

--- Start reviewing the proposals an ask produced (unless the server applies them itself).
---@param client vim.lsp.Client
---@param bufnr integer
---@param ids string[]
function M.review_proposals(client, bufnr, ids)
  if #ids == 0 then
    messages.say('no proposal (the answer held no edit)', vim.log.levels.WARN)
  end
  -- With approval `confirm` or `auto` the server sends the edit itself (see claif.apply_edit).
  local approval = vim.tbl_get(client.settings or {}, 'claif', 'approval') or config.setting('approval')
  for _, id in ipairs(ids) do
    if not store.proposals[id] then -- `claif/proposalsChanged` may have come first
      store.remember(id, client.id, 'pending')
    end
    if approval ~= 'confirm' and approval ~= 'auto' then
      review.start(client, id, { bufnr = bufnr })
    end
  end
end

---@class claif.TurnHandlers
---@field on_result? fun(result: table) handles a result instead of the ask's own handling
---@field on_error? fun(err: lsp.ResponseError) says what went wrong instead of the plain error
---@field on_cancel? fun() says that it was cancelled instead of a plain `cancelled`

--- Send a command that runs like an ask (`claif.ask`, `claif.refine`, `claif.retry`): a requestId that is
--- also its progress token, so progress, `:ClaifCancel` and the cancel button follow it; then handle its result.
---@param client vim.lsp.Client
---@param bufnr integer
---@param command string
---@param arg table the command's argument (gets a `requestId`)
---@param info {action: string, instruction: string?, handlers: claif.TurnHandlers?}
---@param callback? fun(err: lsp.ResponseError?, result: any)
---@return string requestId
function M.run(client, bufnr, command, arg, info, callback)
  arg.requestId = arg.requestId or state.next_request_id()
  local request_id = arg.requestId
  local handlers = info.handlers or {}
  state.asks[request_id] = {
    request_id = request_id,
    client_id = client.id,
    bufnr = bufnr,
    action = info.action,
    instruction = info.instruction,
    on_cancel = handlers.on_cancel,
  }
  local mark = messages.mark()
  client_util.execute(client, command, arg, bufnr, function(err, result)
    if not state.asks[request_id] then
      return -- already finished as cancelled
    end
    state.asks[request_id] = nil
    if err or type(result) ~= 'table' or type(result.answer) ~= 'string' then
      answer.drop(request_id)
    end
    if err then
      if err.code == REQUEST_CANCELLED or tostring(err.message):lower():find('cancel') then
        if handlers.on_cancel then
          handlers.on_cancel()
        else
          messages.say('cancelled')
        end
      elseif handlers.on_error then
        handlers.on_error(err)
      else
        messages.say_once(mark, client_util.message(err), vim.log.levels.ERROR)
      end
    elseif type(result) == 'table' then
      if handlers.on_result then
        handlers.on_result(result)
      elseif type(result.proposals) == 'table' then
        M.review_proposals(client, bufnr, result.proposals)
      elseif type(result.answer) == 'string' then
        answer.show(result.answer, nil, request_id)
      elseif type(result.document) == 'string' then
        answer.show_document(result.document)
      end
    end
    events.fire('ClaifAskDone', { request = request_id, result = result, error = err })
    if callback then
      callback(err, result)
    end
  end, { workDoneToken = request_id })
  return request_id
end

--- Send `claif.ask` and handle its result: open the review of each proposal, or show the answer.
---@param client vim.lsp.Client
---@param bufnr integer
---@param arg table the `claif.ask` argument
---@param callback? fun(err: lsp.ResponseError?, result: any)
---@return string requestId
function M.send(client, bufnr, arg, callback)
  return M.run(client, bufnr, 'claif.ask', arg, { action = arg.action or 'ask', instruction = arg.instruction }, callback)
end

--- Finish a running ask the server cancelled. Neovim's RPC layer drops the `RequestCancelled`
--- answer to the `claif.ask` request, so its callback never runs; `claif.cancel`'s result and the
--- progress `end` tell us instead.
---@param request_id string
function M.finish_cancelled(request_id)
  local asked = state.asks[request_id]
  if not asked then
    return
  end
  state.asks[request_id] = nil
  answer.drop(request_id)
  local err = { code = REQUEST_CANCELLED, message = 'cancelled' }
  if asked.on_cancel then
    asked.on_cancel()
  else
    messages.say('cancelled')
  end
  events.fire('ClaifAskDone', { request = request_id, error = err })
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

--- Send `arg`, first prompting for its instruction when it is a free ask (action `ask`) without one.
---@param client vim.lsp.Client
---@param bufnr integer
---@param arg table
---@param callback? fun(err: lsp.ResponseError?, result: any)
local function send_or_prompt(client, bufnr, arg, callback)
  if (arg.action == nil or arg.action == 'ask') and (arg.instruction == nil or arg.instruction == '') then
    M.prompt(function(instruction)
      if instruction then
        arg.instruction = instruction
        M.send(client, bufnr, arg, callback)
      end
    end)
    return
  end
  M.send(client, bufnr, arg, callback)
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
  send_or_prompt(client, bufnr, {
    uri = vim.uri_from_bufnr(bufnr),
    range = opts.range or client_util.range(bufnr, line1, line2, client.offset_encoding, opts.charwise),
    action = opts.action or 'ask',
    instruction = opts.instruction,
    provider = opts.provider,
    providers = opts.providers,
    diagnostic = opts.diagnostic,
  }, callback)
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
  send_or_prompt(client, ctx.bufnr or vim.uri_to_bufnr(arg.uri), arg)
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

return M
