" Headless test of `gq` (autoload/egw.vim), with egwc on PATH:
"   vim -Nu NONE -i NONE -es -S test/format_check.vim (from editors/vim)
" `gq` on two lines formats the whole buffer as `egwc fmt` does; on a file with a syntax
" error it changes nothing (a 'formatprg' filter put the error report into the buffer).
" Writes the failures to test/result.txt and exits 1 if there are any.
set nocompatible
let &runtimepath = getcwd() . ',' . &runtimepath
filetype plugin on
let errors = []
if !executable('egwc')
  call add(errors, 'egwc is not on PATH')
endif
enew
setfiletype egw
if &formatexpr !=# 'egw#format()'
  call add(errors, 'formatexpr=' . &formatexpr)
endif
call setline(1, ['gateway edge {', '      class "eg"', '  listener http {   port 80 protocol HTTP }', '}', 'service api {endpoint "a.example.com"}'])
" gq over lines 2 and 3 only
normal! 2GVjgq
let want = ['gateway edge {', '  class "eg"', '  listener http { port 80 protocol HTTP }', '}', 'service api { endpoint "a.example.com" }']
if getline(1, '$') !=# want
  call add(errors, 'formatted: ' . string(getline(1, '$')))
endif
" A syntax error: the buffer stays as it is.
let broken = ['gateway edge {', '  class "eg"', '  listener http { port 80 protocol', '}']
silent %delete _
call setline(1, broken)
silent! normal! gggqG
if getline(1, '$') !=# broken
  call add(errors, 'a file that does not parse was changed: ' . string(getline(1, '$')))
endif
if empty(errors)
  call writefile(['ok'], 'test/result.txt')
  qall!
else
  call writefile(errors, 'test/result.txt')
  cquit!
endif
