/// The rules of tag intersection and inclusion, one example per rule: the table that
/// `Docs/tags.md` shows (and that `TagRulesTests.testDocsTableMatches` checks against it).
///
/// Each row: A, B, A ∩ B (normal form, advanced syntax), whether A allows B, whether B
/// allows A.
struct TagRule {
    let rule: String
    let a: String
    let b: String
    let intersection: String
    let aAllowsB: Bool
    let bAllowsA: Bool
}

enum TagRulesTable {
    static let rows: [TagRule] = [
        TagRule(rule: "(*) and anything", a: "(*)", b: "(ftp host)", intersection: "(ftp host)", aAllowsB: true, bAllowsA: false),
        TagRule(rule: "equal atoms", a: "read", b: "read", intersection: "read", aAllowsB: true, bAllowsA: true),
        TagRule(rule: "different atoms", a: "read", b: "write", intersection: "(* set)", aAllowsB: false, bAllowsA: false),
        TagRule(rule: "atoms with different hints", a: "[text/plain]read", b: "read", intersection: "(* set)", aAllowsB: false, bAllowsA: false),
        TagRule(rule: "atom and list", a: "ftp", b: "(ftp)", intersection: "(* set)", aAllowsB: false, bAllowsA: false),
        TagRule(rule: "lists, shorter allows longer", a: "(ftp host)", b: "(ftp host cme)", intersection: "(ftp host cme)", aAllowsB: true, bAllowsA: false),
        TagRule(rule: "lists, different heads", a: "(ftp host)", b: "(http host)", intersection: "(* set)", aAllowsB: false, bAllowsA: false),
        TagRule(rule: "lists, an element empty", a: "(ftp a b)", b: "(ftp a c)", intersection: "(* set)", aAllowsB: false, bAllowsA: false),
        TagRule(rule: "lists, element-wise", a: "(ftp (* set a b))", b: "(ftp (* set b c))", intersection: "(ftp b)", aAllowsB: false, bAllowsA: false),
        TagRule(rule: "list and (*) element", a: "(foo (*))", b: "(foo (* prefix ba))", intersection: "(foo (* prefix ba))", aAllowsB: true, bAllowsA: false),
        TagRule(rule: "set and atom", a: "(* set read write)", b: "read", intersection: "read", aAllowsB: true, bAllowsA: false),
        TagRule(rule: "set and set", a: "(* set a b c)", b: "(* set b c d)", intersection: "(* set b c)", aAllowsB: false, bAllowsA: false),
        TagRule(rule: "set of one collapses", a: "(* set a b)", b: "(* set b)", intersection: "b", aAllowsB: true, bAllowsA: false),
        TagRule(rule: "nested sets flatten", a: "(* set a (* set b c))", b: "(*)", intersection: "(* set a b c)", aAllowsB: false, bAllowsA: true),
        TagRule(rule: "set members absorbed", a: "(* set (ftp) (ftp a))", b: "(*)", intersection: "(ftp)", aAllowsB: false, bAllowsA: true),
        TagRule(rule: "set and list", a: "(* set (ftp a) (http b))", b: "(ftp)", intersection: "(ftp a)", aAllowsB: false, bAllowsA: false),
        TagRule(rule: "set and prefix", a: "(* set read write)", b: "(* prefix re)", intersection: "read", aAllowsB: false, bAllowsA: false),
        TagRule(rule: "set covers a list of sets", a: "(* set (ftp a) (ftp b))", b: "(ftp (* set a b))", intersection: "(* set (ftp a) (ftp b))", aAllowsB: true, bAllowsA: true),
        TagRule(rule: "empty set", a: "(* set)", b: "(*)", intersection: "(* set)", aAllowsB: false, bAllowsA: true),
        TagRule(rule: "prefix and matching atom", a: "(* prefix /data/)", b: "/data/x", intersection: "/data/x", aAllowsB: true, bAllowsA: false),
        TagRule(rule: "prefix and other atom", a: "(* prefix /data/)", b: "/etc/passwd", intersection: "(* set)", aAllowsB: false, bAllowsA: false),
        TagRule(rule: "prefix and atom of another hint", a: "(* prefix a)", b: "[x]abc", intersection: "(* set)", aAllowsB: false, bAllowsA: false),
        TagRule(rule: "prefix and longer prefix", a: "(* prefix ba)", b: "(* prefix bar)", intersection: "(* prefix bar)", aAllowsB: true, bAllowsA: false),
        TagRule(rule: "disjoint prefixes", a: "(* prefix ba)", b: "(* prefix c)", intersection: "(* set)", aAllowsB: false, bAllowsA: false),
        TagRule(rule: "prefix and list", a: "(* prefix f)", b: "(ftp)", intersection: "(* set)", aAllowsB: false, bAllowsA: false),
        TagRule(rule: "alpha range: byte order", a: "(* range alpha ge \"199\")", b: "\"1900\"", intersection: "(* set)", aAllowsB: false, bAllowsA: false),
        TagRule(rule: "numeric range: by value", a: "(* range numeric ge \"199\")", b: "\"1900\"", intersection: "\"1900\"", aAllowsB: true, bAllowsA: false),
        TagRule(rule: "numeric range: decimals", a: "(* range numeric ge \"2.5\" l \"3\")", b: "\"2.50\"", intersection: "\"2.50\"", aAllowsB: true, bAllowsA: false),
        TagRule(rule: "numeric range: not a number", a: "(* range numeric)", b: "abc", intersection: "(* set)", aAllowsB: false, bAllowsA: false),
        TagRule(rule: "binary range: unsigned big-endian", a: "(* range binary g c)", b: "bar", intersection: "bar", aAllowsB: true, bAllowsA: false),
        TagRule(rule: "time range", a: "(* range time ge \"08:00:00\" le \"18:00:00\")", b: "\"12:30:00\"", intersection: "\"12:30:00\"", aAllowsB: true, bAllowsA: false),
        TagRule(rule: "time range: out of hours", a: "(* range time ge \"08:00:00\" le \"18:00:00\")", b: "\"18:00:01\"", intersection: "(* set)", aAllowsB: false, bAllowsA: false),
        TagRule(rule: "date range", a: "(* range date ge \"2026-01-01_00:00:00\")", b: "\"2026-06-01_12:00:00\"", intersection: "\"2026-06-01_12:00:00\"", aAllowsB: true, bAllowsA: false),
        TagRule(rule: "ranges of one ordering", a: "(* range numeric ge \"1\" le \"10\")", b: "(* range numeric g \"5\")", intersection: "(* range numeric g \"5\" le \"10\")", aAllowsB: false, bAllowsA: false),
        TagRule(rule: "range within range", a: "(* range numeric ge \"1\" le \"10\")", b: "(* range numeric ge \"2\" le \"3\")", intersection: "(* range numeric ge \"2\" le \"3\")", aAllowsB: true, bAllowsA: false),
        TagRule(rule: "disjoint ranges", a: "(* range numeric le \"1\")", b: "(* range numeric ge \"2\")", intersection: "(* set)", aAllowsB: false, bAllowsA: false),
        TagRule(rule: "bounds as sublists, any order", a: "(* range numeric (le \"10\") (ge \"1\"))", b: "(*)", intersection: "(* range numeric ge \"1\" le \"10\")", aAllowsB: false, bAllowsA: true),
        TagRule(rule: "prefix and alpha range", a: "(* prefix ab)", b: "(* range alpha ge a)", intersection: "(* prefix ab)", aAllowsB: false, bAllowsA: true),
        TagRule(rule: "prefix and numeric range", a: "(* prefix \"1\")", b: "(* range numeric ge \"10\")", intersection: "(* and (* prefix \"1\") (* range numeric ge \"10\"))", aAllowsB: false, bAllowsA: false),
        TagRule(rule: "range and list", a: "(* range alpha)", b: "(ftp)", intersection: "(* set)", aAllowsB: false, bAllowsA: false),
        TagRule(rule: "conjunction and atom", a: "(* and (* prefix \"1\") (* range numeric ge \"10\"))", b: "\"150\"", intersection: "\"150\"", aAllowsB: true, bAllowsA: false),
    ]
}
