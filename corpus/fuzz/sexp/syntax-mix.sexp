; Every advanced-form construct that nettle's sexp-conv 3.8.1 reads the same way we do.
(syntax
 token a.b/c_d:e*f+g=h -x .y
 "quoted with spaces" "" "tab\tnewline\nreturn\rquote\"backslash\\apostrophe\'"
 "continued \
line"
 #0001ff00# #  de ad be ef  # ||
 |YWJj| | YW Jj ZA== |
 3:abc 0: 3"abc" 2#4142# 3|YWJj|
 [hint]token ["quoted hint"]"value" [#00ff#]|AAE=| [3:raw]3:raw
 (nested (deeper (deepest ()))) ()
 {KDE6YTE6Yik=}
 (x {WzQ6aGludF01OnZhbHVl}))   ; transport holding a hinted atom
