" Settings for .egw files: `//` comments, two-space indentation (the layout of `egwc fmt`).
if exists("b:did_ftplugin")
  finish
endif
let b:did_ftplugin = 1

setlocal commentstring=//\ %s
setlocal comments=://
setlocal expandtab shiftwidth=2 softtabstop=2
setlocal formatoptions-=t formatoptions+=croql
" `gq` formats the whole buffer through `egwc fmt -` when egwc is installed, and leaves it
" as it is on a syntax error (autoload/egw.vim).
if executable('egwc')
  setlocal formatexpr=egw#format()
endif

let b:undo_ftplugin = "setlocal commentstring< comments< expandtab< shiftwidth< softtabstop< formatoptions< formatexpr<"
