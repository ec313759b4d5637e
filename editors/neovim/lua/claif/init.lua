--- claif.nvim: claif-lsp in Neovim. `require('claif').setup()` registers and enables the server;
--- the `:Claif*` commands ask, review proposals hunk by hunk, and cancel. See `:help claif`.
local answer = require('claif.answer')
local apply_edit = require('claif.apply_edit')
local ask = require('claif.ask')
local client_util = require('claif.client')
local commands = require('claif.commands')
local config = require('claif.config')
local decisions = require('claif.decisions')
local events = require('claif.events')
local idle = require('claif.idle')
local messages = require('claif.messages')
local progress = require('claif.progress')
local providers = require('claif.providers')
local review = require('claif.review')
local state = require('claif.state')
local store = require('claif.store')

local M = {}

M.ask = ask.ask
M.cancel = ask.cancel
M.providers = providers.providers
M.status = progress.status
M.state = state
M.store = store
M.review = review

---@param message string
---@return boolean
local function is_settings_problem(message)
  return message:find('^claif%-lsp settings:') ~= nil
end

--- The `vim.lsp.config()` entry for the server.
---@param options claif.Options
---@return vim.lsp.Config
function M.lsp_config(options)
  local settings = config.split_settings(options.settings)
  local cfg = {
    cmd = options.cmd,
    filetypes = options.filetypes,
    root_markers = options.root_markers,
    -- Keys that run a program or redirect traffic go only in initializationOptions, which the server
    -- trusts (a repository can fill workspace/configuration in some editors); the rest stay changeable.
    settings = { claif = settings },
    init_options = config.initialization_options(options),
    -- The plugin confirms annotated edits itself (claif.apply_edit), so it can say it supports them;
    -- the server then marks edits that need the user's consent (approval = "confirm").
    capabilities = options.confirm_edits and {
      workspace = {
        workspaceEdit = { documentChanges = true, changeAnnotationSupport = { groupsOnLabel = false } },
      },
    } or nil,
    handlers = {
      ['workspace/applyEdit'] = apply_edit.handler(apply_edit.apply),
      ['claif/proposalsChanged'] = function(_, params, ctx)
        for _, p in ipairs(params and params.proposals or {}) do
          review.on_changed(p.id, p.state, ctx.client_id)
        end
        events.fire('ClaifProposalsChanged', params)
      end,
      ['claif/answer'] = function(_, params)
        answer.on_answer(params)
      end,
      ['window/showMessage'] = function(err, params, ctx)
        if not params or type(params.message) ~= 'string' then
          return vim.lsp.handlers['window/showMessage'](err, params, ctx)
        end
        if is_settings_problem(params.message) then
          table.insert(state.server_problems, params.message)
        end
        messages.from_server(params)
      end,
      -- The server asks to show its answer or diff document with the focus; nothing claif opens on its
      -- own may take the focus from someone typing, so it opens beside the current window instead.
      ['window/showDocument'] = function(err, params, ctx)
        if params and params.takeFocus then
          params = vim.tbl_extend('force', params, { takeFocus = false })
        end
        return vim.lsp.handlers['window/showDocument'](err, params, ctx)
      end,
    },
  }
  return vim.tbl_deep_extend('force', cfg, options.lsp or {})
end

--- Register claif-lsp with `vim.lsp.config()`, enable it, and create the commands.
---@param opts? claif.Options|table
function M.setup(opts)
  local options = config.set(opts)
  client_util.name = options.name
  vim.lsp.config(options.name, M.lsp_config(options))
  vim.lsp.enable(options.name)
  vim.lsp.commands['claif.ask'] = ask.lsp_ask
  vim.lsp.commands['claif.accept'] = decisions.lsp_decide('accept')
  vim.lsp.commands['claif.reject'] = decisions.lsp_decide('reject')
  if options.commands then
    commands.create()
  end
  progress.setup()
  idle.setup()
  M.did_setup = true
end

return M
