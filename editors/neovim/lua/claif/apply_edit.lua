--- `workspace/applyEdit` that honours `needsConfirmation`.
---
--- Neovim's own handler applies every edit at once and ignores change annotations. This one shows an
--- edit whose annotations need confirmation and applies it only when the user accepts; otherwise the
--- server gets `{ applied = false, failureReason = ... }`. Edits that answer the user's own
--- `claif.accept` are applied without asking again. The question waits until the user stops typing:
--- a prompt that appeared mid-word would take the next keys as its answer.
local config = require('claif.config')
local idle = require('claif.idle')
local messages = require('claif.messages')

local M = {}

local asked = 0

--- Accept requests in flight, by client id.
---@type table<integer, integer>
local expected = {}

--- Count an accept request in flight (`delta` 1) or finished (`delta` -1).
---@param client_id integer
---@param delta integer
function M.expect(client_id, delta)
  expected[client_id] = math.max(0, (expected[client_id] or 0) + delta)
end

---@param params lsp.ApplyWorkspaceEditParams
---@return lsp.ChangeAnnotation[]
function M.confirmations(params)
  local found = {}
  for _, annotation in pairs(params.edit.changeAnnotations or {}) do
    if annotation.needsConfirmation then
      table.insert(found, annotation)
    end
  end
  return found
end

--- The text edits of a workspace edit, by URI.
---@param edit lsp.WorkspaceEdit
---@return table<string, lsp.TextEdit[]>
local function edits_by_uri(edit)
  local by_uri = {} ---@type table<string, lsp.TextEdit[]>
  for _, change in ipairs(edit.documentChanges or {}) do
    if change.textDocument and change.edits then
      by_uri[change.textDocument.uri] = vim.list_extend(by_uri[change.textDocument.uri] or {}, change.edits)
    end
  end
  for uri, edits in pairs(edit.changes or {}) do
    by_uri[uri] = vim.list_extend(by_uri[uri] or {}, edits)
  end
  return by_uri
end

--- A unified diff of what the edit would do (resource operations are listed by name).
---@param params lsp.ApplyWorkspaceEditParams
---@param encoding string
---@return string[]
function M.preview_lines(params, encoding)
  local lines = {} ---@type string[]
  if params.label then
    table.insert(lines, params.label)
  end
  for _, annotation in ipairs(M.confirmations(params)) do
    table.insert(lines, ('%s%s'):format(annotation.label, annotation.description and (': ' .. annotation.description) or ''))
  end
  table.insert(lines, '')
  for _, change in ipairs(params.edit.documentChanges or {}) do
    if change.kind then
      table.insert(lines, ('%s %s'):format(change.kind, change.uri or change.oldUri or ''))
    end
  end
  for uri, edits in pairs(edits_by_uri(params.edit)) do
    local bufnr = vim.uri_to_bufnr(uri)
    vim.fn.bufload(bufnr)
    local old = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    local scratch = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_lines(scratch, 0, -1, false, old)
    pcall(vim.lsp.util.apply_text_edits, edits, scratch, encoding)
    local new = vim.api.nvim_buf_get_lines(scratch, 0, -1, false)
    vim.api.nvim_buf_delete(scratch, { force = true })
    local diff = vim.diff(table.concat(old, '\n') .. '\n', table.concat(new, '\n') .. '\n', { result_type = 'unified' })
    table.insert(lines, '--- ' .. vim.uri_to_fname(uri))
    table.insert(lines, '+++ ' .. vim.uri_to_fname(uri))
    vim.list_extend(lines, vim.split(diff --[[@as string]], '\n', { trimempty = true }))
  end
  return lines
end

--- Show the edit in a float and ask whether to apply it. Replace this function to change the UI.
---@param params lsp.ApplyWorkspaceEditParams
---@param encoding string
---@param callback fun(apply: boolean)
function M.confirm(params, encoding, callback)
  local lines = M.preview_lines(params, encoding)
  local buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].filetype = 'diff'
  vim.bo[buf].bufhidden = 'wipe'
  local width = math.min(vim.o.columns - 4, 100)
  local height = math.min(vim.o.lines - 6, #lines)
  local win = vim.api.nvim_open_win(buf, false, {
    relative = 'editor',
    row = 1,
    col = math.floor((vim.o.columns - width) / 2),
    width = math.max(width, 20),
    height = math.max(height, 1),
    style = 'minimal',
    border = 'rounded',
    title = ' claif: apply this edit? ',
  })
  vim.ui.select({ 'Apply', 'Discard' }, { prompt = params.label or 'Apply this edit?' }, function(choice)
    if vim.api.nvim_win_is_valid(win) then
      vim.api.nvim_win_close(win, true)
    end
    callback(choice == 'Apply')
  end)
end

--- Wait inside the coroutine Neovim runs server requests in, until `start` calls back.
---@param start fun(done: fun(value: any))
---@return any
local function await(start)
  local co = coroutine.running()
  local finished, value = false, nil
  start(function(v)
    if finished then
      return
    end
    finished, value = true, v
    if co and coroutine.status(co) == 'suspended' then
      local ok, e = coroutine.resume(co)
      if not ok then
        vim.notify('claif: workspace/applyEdit failed: ' .. tostring(e), vim.log.levels.ERROR)
      end
    end
  end)
  if not finished then
    if co and coroutine.isyieldable() then
      coroutine.yield()
    else
      vim.wait(1e9, function()
        return finished
      end, 20)
    end
  end
  return value
end

--- The first document of an edit that changed since the edit was made (its buffer is at a newer version).
---@param edit lsp.WorkspaceEdit
---@return string? path
function M.outdated(edit)
  for _, change in ipairs(edit.documentChanges or {}) do
    local doc = change.textDocument
    if doc and type(doc.version) == 'number' and doc.version > 0 then
      local bufnr = vim.uri_to_bufnr(doc.uri)
      local version = vim.lsp.util.buf_versions[bufnr]
      if version and version > doc.version then
        return vim.fn.fnamemodify(vim.uri_to_fname(doc.uri), ':~:.')
      end
    end
  end
  return nil
end

--- Apply a workspace edit as Neovim's own handler does, without its `Workspace edit …` message, and
--- refuse one whose document changed since it was made: Neovim would skip it yet report it applied.
---@type lsp.Handler
function M.apply(_, params, ctx)
  local outdated = M.outdated(params.edit)
  if outdated then
    local reason = ('%s changed since this edit was made'):format(outdated)
    messages.say(('%s not applied: %s'):format(params.label or 'the edit', reason), vim.log.levels.WARN)
    return { applied = false, failureReason = reason }
  end
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  local ok, result = pcall(vim.lsp.util.apply_workspace_edit, params.edit, client and client.offset_encoding or 'utf-16')
  return { applied = ok, failureReason = not ok and tostring(result) or nil }
end

--- The 'changedtick' of each loaded buffer an edit touches, by buffer.
---@param edit lsp.WorkspaceEdit
---@return table<integer, integer>
local function changedticks(edit)
  local ticks = {}
  for uri in pairs(edits_by_uri(edit)) do
    local bufnr = vim.uri_to_bufnr(uri)
    if vim.api.nvim_buf_is_loaded(bufnr) then
      ticks[bufnr] = vim.b[bufnr].changedtick
    end
  end
  return ticks
end

--- The first buffer (as a path) that changed since `ticks` were taken.
---@param ticks table<integer, integer>
---@return string?
local function changed_since(ticks)
  for bufnr, tick in pairs(ticks) do
    if vim.api.nvim_buf_is_valid(bufnr) and vim.b[bufnr].changedtick ~= tick then
      return vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':~:.')
    end
  end
  return nil
end

--- Build a `workspace/applyEdit` handler around `default` (`M.apply`, or Neovim's handler).
---@param default lsp.Handler
---@return lsp.Handler
function M.handler(default)
  return function(err, params, ctx)
    if
      not config.options.confirm_edits
      or #M.confirmations(params) == 0
      or (expected[ctx.client_id] or 0) > 0
    then
      return default(err, params, ctx)
    end
    local client = vim.lsp.get_client_by_id(ctx.client_id)
    local encoding = client and client.offset_encoding or 'utf-16'
    asked = asked + 1
    local ticks = changedticks(params.edit)
    if idle.busy() then
      messages.say(('%s: confirm it when you stop typing'):format(params.label or 'an edit'))
    end
    local apply = await(function(done)
      idle.when_idle('confirm:' .. asked, function()
        local ok, e = pcall(M.confirm, params, encoding, done)
        if not ok then
          messages.say('cannot show the edit: ' .. tostring(e), vim.log.levels.ERROR)
          done(false)
        end
      end)
    end)
    local changed = apply and changed_since(ticks)
    if changed then
      -- The edit's positions describe the text as it was when it came; typing since may have moved it.
      local reason = ('%s changed while the edit waited for your confirmation'):format(changed)
      messages.say(('%s not applied: %s'):format(params.label or 'the edit', reason), vim.log.levels.WARN)
      return { applied = false, failureReason = reason }
    end
    if apply then
      return default(err, params, ctx)
    end
    return { applied = false, failureReason = 'rejected by the user' }
  end
end

return M
