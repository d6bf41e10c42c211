" Headless syntax test: vim -Nu NONE -i NONE -es -S test/check.vim (from editors/vim).
" Checks the filetype, the ftplugin and the syntax group at chosen positions of test/sample.egw;
" writes the failures to test/result.txt and exits 1 if there are any.
set nocompatible
let &runtimepath = getcwd() . ',' . &runtimepath
filetype plugin on
syntax on
edit test/sample.egw
let errors = []
if &filetype !=# 'egw'
  call add(errors, 'filetype=' . &filetype)
endif
if &commentstring !=# '// %s'
  call add(errors, 'commentstring=' . &commentstring)
endif
" [line, column, expected syntax group]
let checks = [
  \ [1, 1, 'egwComment'], [1, 4, 'egwTodo'],
  \ [2, 1, 'egwInclude'], [2, 11, 'egwString'],
  \ [3, 1, 'egwDeclaration'], [3, 9, 'egwName'],
  \ [4, 3, 'egwDeclaration'], [4, 12, 'egwName'], [4, 19, 'egwKeyword'], [4, 24, 'egwNumber'],
  \ [4, 36, 'egwConstant'],
  \ [6, 9, 'egwName'], [6, 19, 'egwKeyword'], [6, 45, 'egwKeyword'], [6, 53, 'egwConstant'],
  \ [8, 10, 'egwKeyword'], [8, 21, 'egwOperator'], [8, 23, 'egwString'], [8, 28, 'egwEscape'],
  \ [8, 33, 'egwOperator'], [8, 44, 'egwNumber'], [8, 61, 'egwKeyword'], [8, 69, 'egwNumber'],
  \ [9, 26, 'egwNumber'], [9, 3, 'egwDeclaration'],
  \ [11, 1, 'egwDeclaration'], [11, 5, 'egwName'],
  \ [12, 1, 'egwDeclaration'], [12, 9, 'egwName'], [12, 18, 'egwKeyword'],
  \ [12, 50, 'egwInterpolation'], [12, 60, 'egwEscape'],
  \ ]
for [l, c, want] in checks
  let got = synIDattr(synID(l, c, 1), 'name')
  if got !=# want
    call add(errors, printf('%d:%d: want %s, got %s (%s)', l, c, want, got, getline(l)[c - 1 : c + 4]))
  endif
endfor
if empty(errors)
  call writefile(['ok'], 'test/result.txt')
  qall!
else
  call writefile(errors, 'test/result.txt')
  cquit!
endif
