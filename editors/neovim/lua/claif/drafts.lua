--- Feedback written for a refine, kept per proposal until a refine with it went through: a refine that
--- failed or was cancelled loses no words, and `:ClaifRefine` offers them again.
local M = {}

---@type table<string, string> the latest feedback by proposal id
local kept = {}

--- Keep `text` as the feedback for proposal `id` (blank text keeps nothing).
---@param id string
---@param text string
function M.keep(id, text)
  if vim.trim(text) ~= '' then
    kept[id] = text
  end
end

--- The feedback kept for proposal `id`, if any.
---@param id string
---@return string?
function M.get(id)
  return kept[id]
end

--- Forget the feedback for proposal `id` once a refine with `text` went through; feedback written
--- since (for a refine still to send) stays.
---@param id string
---@param text string
function M.done(id, text)
  if kept[id] == text then
    kept[id] = nil
  end
end

return M
