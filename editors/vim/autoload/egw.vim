" `gq` for .egw files (the ftplugin's 'formatexpr'): the whole buffer through `egwc fmt -`,
" whatever lines `gq` was given, since a part of a file is not a file egwc can format (and a
" 'formatprg' filter would put the error report into the buffer in place of the lines). On a
" syntax error the buffer is left as it is and the error is shown. While typing
" ('textwidth'), Vim formats as usual.
function! egw#format() abort
  if mode() =~# '[iR]'
    return 1
  endif
  let l:lines = getline(1, '$')
  let l:out = systemlist('egwc fmt -', l:lines)
  if v:shell_error
    let l:said = filter(copy(l:out), 'v:val =~# "\\S"')
    echohl ErrorMsg
    echomsg 'egwc fmt: ' . (empty(l:said) ? 'the file does not parse' : join(l:said[:1], ' '))
    echohl None
    return 0
  endif
  if l:out !=# l:lines
    let l:view = winsaveview()
    call setline(1, l:out)
    if line('$') > len(l:out)
      silent execute (len(l:out) + 1) . ',$delete _'
    endif
    call winrestview(l:view)
  endif
  return 0
endfunction
