--- The review's keys in the proposal buffer (`review.keys` of the options).
local config = require('claif.config')

local M = {}

--- What the review's keys do.
---@class claif.ReviewActions
---@field decide_here fun(verb: 'accept'|'reject') decide the hunk under the cursor
---@field decide_all fun(verb: 'accept'|'reject') decide the whole proposal
---@field jump fun(direction: integer) go to the next (1) or previous (-1) hunk
---@field step_file fun(direction: integer) show the next (1) or previous (-1) file
---@field refine fun(first?: integer, last?: integer) refine the proposal: the hunk under the cursor, or those on rows `first..last` (0-based)
---@field answer fun() show the raw answer of the proposal's revision
---@field close fun() close the diff view

--- The keys, in the order they are mapped: option name, what it does, and the action.
---@param actions claif.ReviewActions
---@return {[1]: string, [2]: string, [3]: fun()}[]
local function bindings(actions)
  return {
    { 'accept_hunk', 'claif: accept the hunk under the cursor', function() actions.decide_here('accept') end },
    { 'reject_hunk', 'claif: reject the hunk under the cursor', function() actions.decide_here('reject') end },
    { 'accept_all', 'claif: accept the whole proposal', function() actions.decide_all('accept') end },
    { 'reject_all', 'claif: reject the whole proposal', function() actions.decide_all('reject') end },
    { 'next_hunk', 'claif: next hunk', function() actions.jump(1) end },
    { 'prev_hunk', 'claif: previous hunk', function() actions.jump(-1) end },
    { 'next_file', 'claif: show the next file of the proposal', function() actions.step_file(1) end },
    { 'prev_file', 'claif: show the previous file of the proposal', function() actions.step_file(-1) end },
    { 'refine', 'claif: refine the proposal with feedback (the hunk under the cursor)', function() actions.refine() end },
    { 'answer', "claif: show the model's raw answer (what a partial answer could not place)", actions.answer },
    { 'close', 'claif: close the diff view (the proposal stays pending)', actions.close },
  }
end

--- Map the review's keys (those not set to `false`) in buffer `buf`.
---@param buf integer
---@param actions claif.ReviewActions
function M.attach(buf, actions)
  local keys = config.options.review.keys
  for _, binding in ipairs(bindings(actions)) do
    local lhs = keys[binding[1]]
    if lhs then
      vim.keymap.set('n', lhs, binding[3], { buffer = buf, nowait = true, desc = binding[2] })
      if binding[1] == 'refine' then
        vim.keymap.set('x', lhs, function()
          local a, b = vim.fn.line('v'), vim.fn.line('.')
          vim.api.nvim_feedkeys(vim.keycode('<Esc>'), 'nx', false)
          actions.refine(math.min(a, b) - 1, math.max(a, b) - 1)
        end, { buffer = buf, nowait = true, desc = 'claif: refine the selected hunks with feedback' })
      end
    end
  end
end

return M
