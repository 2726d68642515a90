-- Neovim's built-in LSP client on `policyengine lsp` (Neovim 0.7 or newer, no plugin).
-- Use it as your init.lua, or copy the autocommand into yours. POLICYENGINE_LSP in the
-- environment names another command (default: `policyengine` on the PATH).
local cmd = vim.env.POLICYENGINE_LSP or "policyengine"

vim.o.termguicolors = true
vim.o.signcolumn = "yes"
vim.o.cursorline = true
vim.o.number = true
vim.o.completeopt = "menuone,noinsert"

vim.api.nvim_create_autocmd("FileType", {
  pattern = "yaml",
  callback = function(args)
    local id = vim.lsp.start_client({
      name = "policyengine",
      cmd = { cmd, "lsp" },
      root_dir = vim.fn.getcwd(),
      init_options = { debounce = 0.25 },
    })
    vim.lsp.buf_attach_client(args.buf, id)
    vim.bo[args.buf].omnifunc = "v:lua.vim.lsp.omnifunc" -- <C-x><C-o> completes
    local map = function(keys, fn) vim.keymap.set("n", keys, fn, { buffer = args.buf }) end
    map("K", vim.lsp.buf.hover)
    map("gd", vim.lsp.buf.definition)
    map("gr", vim.lsp.buf.references)
    map("<leader>rn", vim.lsp.buf.rename)
    map("<leader>ca", vim.lsp.buf.code_action)
  end,
})
