(first "1") (second 1:2)
(third ("3"))
atom-at-top-level
[hinted]"top level"
