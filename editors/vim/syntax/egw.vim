" Vim syntax for .egw files. The keywords are those of grammar/egw.pest; a test in
" tests/editors.rs fails when the two disagree.
if exists("b:current_syntax")
  finish
endif

" Blocks, and the name that follows them.
syn keyword egwDeclaration gateway service route listener rule filters nextgroup=egwName skipwhite
syn keyword egwDeclaration test tcp udp grpc
syn match   egwName        "\<[A-Za-z_][A-Za-z0-9_-]*\>" contained

syn keyword egwInclude     import namespace
syn keyword egwDeclaration let nextgroup=egwName skipwhite

" Attribute keywords. Keywords are not reserved: `service backend` names a service.
syn keyword egwKeyword     add annotation as backend balance ca cert class configmap description
syn keyword egwKeyword     endpoint endpoints file from header host hostname http https label
syn keyword egwKeyword     match method mirror mode on path port prefix protocol query redirect
syn keyword egwKeyword     remove response rewrite routes san set status target timeout tls use
syn keyword egwKeyword     request expect

" Values the checker knows.
syn keyword egwConstant    off system same all terminate passthrough
syn keyword egwConstant    HTTP HTTPS TLS TCP UDP H2C GET HEAD POST PUT DELETE CONNECT OPTIONS TRACE PATCH

syn match   egwNumber      "\<\d\+\>"
syn match   egwNumber      "\<\d\+\(\.\d\+\)\+\>"
syn match   egwNumber      "\<\(\d\+\(ms\|h\|m\|s\)\)\+\>"
syn match   egwNumber      "\<\d\+%"
syn match   egwOperator    "->\|[=~]"

syn region  egwString      start=+"+ skip=+\\\\\|\\"+ end=+"+ oneline contains=egwEscape,egwInterpolation
syn match   egwEscape      +\\[\\"nt$]+ contained
syn match   egwInterpolation +\${[A-Za-z_][A-Za-z0-9_-]*}+ contained
syn match   egwBadEscape   +\\[^\\"nt$]+ contained containedin=egwString

syn keyword egwTodo        TODO FIXME XXX NOTE contained
syn match   egwComment     "//.*$" contains=egwTodo,@Spell

hi def link egwDeclaration Structure
hi def link egwName        Identifier
hi def link egwInclude     Include
hi def link egwKeyword     Keyword
hi def link egwConstant    Constant
hi def link egwNumber      Number
hi def link egwOperator    Operator
hi def link egwString      String
hi def link egwEscape      SpecialChar
hi def link egwBadEscape   Error
hi def link egwInterpolation Identifier
hi def link egwTodo        Todo
hi def link egwComment     Comment

let b:current_syntax = "egw"
