" .egw files: egwc's language (https://example.invalid/egwc, docs/language.md).
autocmd BufRead,BufNewFile *.egw setfiletype egw
