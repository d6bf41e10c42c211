" Settings for .egw files: `//` comments, two-space indentation (the layout of `egwc fmt`).
if exists("b:did_ftplugin")
  finish
endif
let b:did_ftplugin = 1

setlocal commentstring=//\ %s
setlocal comments=://
setlocal expandtab shiftwidth=2 softtabstop=2
setlocal formatoptions-=t formatoptions+=croql
" `gq` and `=` through the formatter, when egwc is installed.
if executable('egwc')
  setlocal formatprg=egwc\ fmt\ -
endif

let b:undo_ftplugin = "setlocal commentstring< comments< expandtab< shiftwidth< softtabstop< formatoptions< formatprg<"
