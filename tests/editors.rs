//! Editor support stays in step with the compiler:
//! - the committed tree-sitter parser (`editors/tree-sitter-egw/src/`) accepts exactly the
//!   files egwc parses, on every example, case and editor sample;
//! - its highlight queries (Neovim/Zed and Helix) compile and capture what they should;
//! - every keyword of `grammar/egw.pest` is known to the TextMate, tree-sitter and Vim
//!   grammars, and their keyword lists hold nothing else.

use std::collections::BTreeSet;
use std::path::PathBuf;

use egwc::source::FileId;

mod common;
use common::all_egw_files;
use streaming_iterator::StreamingIterator;
use tree_sitter::{Parser, Query, QueryCursor};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn language() -> tree_sitter::Language {
    tree_sitter_egw::LANGUAGE.into()
}

/// The keywords of the compiler's grammar: `kw_name = @{ "word" ~ !word_char }`.
fn pest_keywords() -> BTreeSet<String> {
    let keywords: BTreeSet<String> = read("grammar/egw.pest")
        .lines()
        .filter(|l| l.starts_with("kw_"))
        .map(|l| {
            l.split('"')
                .nth(1)
                .expect("a keyword rule holds a string")
                .to_string()
        })
        .collect();
    assert!(keywords.len() > 40, "the keyword rules were not found");
    keywords
}

fn is_word(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphabetic())
}

/// Words of the Vim syntax file's `syn keyword GROUP ...` lines, for the given groups.
fn vim_keywords(groups: &[&str]) -> BTreeSet<String> {
    read("editors/vim/syntax/egw.vim")
        .lines()
        .filter_map(|l| l.strip_prefix("syn keyword "))
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            groups.contains(&words.next()?).then_some(words)
        })
        .flatten()
        .filter(|w| !w.contains('=') && !["skipwhite", "contained"].contains(w))
        .map(str::to_string)
        .collect()
}

/// Words in the alternations `(a|b|c)` of the TextMate grammar's patterns in `groups`.
fn textmate_keywords(groups: &[&str]) -> BTreeSet<String> {
    let grammar: serde_json::Value =
        serde_json::from_str(&read("editors/vscode/syntaxes/egw.tmLanguage.json")).unwrap();
    let mut regexes = Vec::new();
    for group in groups {
        let rule = &grammar["repository"][group];
        assert!(!rule.is_null(), "the TextMate grammar has no `{group}`");
        regexes.extend(rule["match"].as_str().map(str::to_string));
        for p in rule["patterns"].as_array().into_iter().flatten() {
            regexes.extend(p["match"].as_str().map(str::to_string));
        }
    }
    regexes
        .iter()
        .flat_map(|r| r.split(['(', ')']))
        .filter(|segment| segment.contains('|') || is_word(segment))
        .flat_map(|segment| segment.split('|'))
        .filter(|w| is_word(w))
        .map(str::to_string)
        .collect()
}

/// The quoted words of a tree-sitter file (`'gateway'` in grammar.js, `"gateway"` in
/// queries), from the first line containing `from` on, and not field names (`field('name'`).
fn quoted_words(path: &str, quote: char, from: &str) -> BTreeSet<String> {
    let text = read(path);
    let start = text
        .find(from)
        .unwrap_or_else(|| panic!("{path}: no `{from}`"));
    let mut words = BTreeSet::new();
    let mut rest = &text[start..];
    while let Some(at) = rest.find(quote) {
        let is_field = rest[..at].ends_with("field(");
        rest = &rest[at + 1..];
        if is_field {
            continue;
        }
        let len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        if len > 0 && rest[len..].starts_with(quote) {
            words.insert(rest[..len].to_string());
            rest = &rest[len + 1..];
        }
    }
    words
}

/// The file (and line) that holds an editor's keyword list, named by the test's label: where
/// a new keyword of the grammar goes.
fn where_keywords_are(label: &str) -> String {
    let path = match label {
        l if l.starts_with("tree-sitter") => "editors/tree-sitter-egw/grammar.js",
        l if l.starts_with("Vim") => "editors/vim/syntax/egw.vim",
        l if l.starts_with("TextMate") => "editors/vscode/syntaxes/egw.tmLanguage.json",
        other => other,
    };
    // The line of the first keyword the list already holds.
    let line = read(path)
        .lines()
        .position(|l| l.contains("service"))
        .map_or(1, |n| n + 1);
    format!("{path}:{line}")
}

#[test]
fn every_editor_grammar_knows_the_keywords_of_the_compiler() {
    let pest = pest_keywords();
    let missing = |name: &str, known: &BTreeSet<String>| {
        let missing: Vec<_> = pest.difference(known).collect();
        assert!(
            missing.is_empty(),
            "{name} lacks the keywords {missing:?}: add them beside the others, at {}",
            where_keywords_are(name)
        );
    };
    let extra = |name: &str, known: &BTreeSet<String>| {
        let extra: Vec<_> = known.difference(&pest).collect();
        assert!(
            extra.is_empty(),
            "{name} has keywords the compiler does not: {extra:?}: remove them at {}",
            where_keywords_are(name)
        );
    };

    let ts = quoted_words("editors/tree-sitter-egw/grammar.js", '\'', "rules:");
    missing("tree-sitter grammar.js", &ts);
    extra("tree-sitter grammar.js", &ts);
    for query in [
        "editors/tree-sitter-egw/queries/highlights.scm",
        "editors/helix/queries/egw/highlights.scm",
    ] {
        missing(query, &quoted_words(query, '"', ""));
    }

    let vim = vim_keywords(&["egwDeclaration", "egwInclude", "egwKeyword"]);
    extra("Vim keyword groups", &vim);
    let mut vim_all = vim;
    vim_all.extend(vim_keywords(&["egwConstant"]));
    missing("Vim syntax", &vim_all);

    let tm = textmate_keywords(&["declaration", "keyword"]);
    extra("TextMate keyword patterns", &tm);
    let mut tm_all = tm;
    tm_all.extend(textmate_keywords(&["constant"]));
    missing("TextMate grammar", &tm_all);
}

#[test]
fn the_tree_sitter_parser_accepts_exactly_what_egwc_parses() {
    let files: Vec<PathBuf> = [
        "examples",
        "stdlib",
        "tests/cases",
        "tests/format",
        "editors",
    ]
    .iter()
    .flat_map(|dir| all_egw_files(&root().join(dir)))
    .collect();
    let mut parser = Parser::new();
    parser.set_language(&language()).unwrap();
    let (mut accepted, mut rejected) = (0, 0);
    let mut disagreements = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue; // not UTF-8: no editor grammar sees it
        };
        let egwc_ok = egwc::syntax::format(FileId(0), &text).is_ok();
        let tree = parser.parse(&text, None).unwrap();
        let ts_ok = !tree.root_node().has_error();
        if egwc_ok != ts_ok {
            disagreements.push(format!(
                "{}: egwc {}, tree-sitter {}",
                path.display(),
                if egwc_ok { "parses it" } else { "does not" },
                if ts_ok { "parses it" } else { "finds an error" },
            ));
        }
        if egwc_ok {
            accepted += 1
        } else {
            rejected += 1
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    assert!(
        accepted > 100 && rejected >= 2,
        "the corpus is missing: {accepted} / {rejected}"
    );
}

/// (capture name, node text) for every capture of `query` on `text`.
fn captures(query: &str, text: &str) -> Vec<(String, String)> {
    let query = Query::new(&language(), query).unwrap_or_else(|e| panic!("query: {e}"));
    let mut parser = Parser::new();
    parser.set_language(&language()).unwrap();
    let tree = parser.parse(text, None).unwrap();
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(&query, tree.root_node(), text.as_bytes());
    let mut out = Vec::new();
    while let Some(m) = matches.next() {
        for c in m.captures() {
            let name = query.capture_names()[c.index as usize].to_string();
            out.push((name, c.node.utf8_text(text.as_bytes()).unwrap().to_string()));
        }
    }
    out
}

#[test]
fn highlight_queries_compile_and_capture_each_kind_of_token() {
    let text = "// note\nimport \"./x.egw\"\ngateway edge { listener http { port 80 protocol HTTP } }\n\
                route api { on edge.http rule { match path ~ \"^/\\\\d\" -> api 90 } }\n";
    let expect = |query_path: &str, wanted: &[(&str, &str)]| {
        let got = captures(&read(query_path), text);
        for (name, node) in wanted {
            assert!(
                got.iter().any(|(n, t)| n == name && t == node),
                "{query_path}: no @{name} on `{node}` in {got:?}"
            );
        }
    };
    expect(
        "editors/tree-sitter-egw/queries/highlights.scm",
        &[
            ("comment", "// note"),
            ("keyword.import", "import"),
            ("keyword", "gateway"),
            ("type", "edge"),
            ("keyword", "port"),
            ("number", "80"),
            ("constant", "HTTP"),
            ("property", "http"),
            ("operator", "~"),
            ("string.escape", "\\\\"),
            ("operator", "->"),
            ("punctuation.bracket", "{"),
        ],
    );
    expect(
        "editors/helix/queries/egw/highlights.scm",
        &[
            ("keyword.control.import", "import"),
            ("constant.numeric", "80"),
            ("variable.other.member", "http"),
            ("constant.character.escape", "\\\\"),
        ],
    );
    assert_eq!(
        tree_sitter_egw::HIGHLIGHTS_QUERY,
        read("editors/tree-sitter-egw/queries/highlights.scm")
    );
}

/// One entry of a tree-sitter corpus file: name, input, expected tree, whether it must fail.
struct CorpusEntry {
    name: String,
    input: String,
    expected: String,
    error: bool,
}

/// Reads the tree-sitter test format: `===` header lines around a name (and `:error`), the
/// input, a `---` line, the expected S-expression.
fn corpus_entries(text: &str) -> Vec<CorpusEntry> {
    let mut entries = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if !line.starts_with("===") {
            continue;
        }
        let name = lines.next().unwrap_or_default().to_string();
        let mut error = false;
        for l in lines.by_ref() {
            if l.starts_with("===") {
                break;
            }
            error |= l.trim() == ":error";
        }
        let mut input = String::new();
        for l in lines.by_ref() {
            if l.starts_with("---") {
                break;
            }
            input.push_str(l);
            input.push('\n');
        }
        let mut expected = String::new();
        while let Some(l) = lines.peek() {
            if l.starts_with("===") {
                break;
            }
            expected.push_str(lines.next().unwrap());
            expected.push(' ');
        }
        entries.push(CorpusEntry {
            name,
            input,
            expected,
            error,
        });
    }
    entries
}

/// An S-expression with single spaces and without field names (`name: `).
fn normalize_sexp(s: &str) -> String {
    s.replace('(', " ( ")
        .replace(')', " ) ")
        .split_whitespace()
        .filter(|w| !w.ends_with(':'))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The corpus tests of `tree-sitter test`, run with the committed parser (CI has no CLI).
#[test]
fn tree_sitter_corpus_tests_pass() {
    let dir = root().join("editors/tree-sitter-egw/test/corpus");
    let mut parser = Parser::new();
    parser.set_language(&language()).unwrap();
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        for e in corpus_entries(&std::fs::read_to_string(&path).unwrap()) {
            let tree = parser.parse(&e.input, None).unwrap();
            let root_node = tree.root_node();
            if e.error {
                assert!(
                    root_node.has_error(),
                    "{}: `{}` must not parse",
                    path.display(),
                    e.name
                );
            } else {
                assert_eq!(
                    normalize_sexp(&root_node.to_sexp()),
                    normalize_sexp(&e.expected),
                    "{}: `{}`",
                    path.display(),
                    e.name
                );
            }
            count += 1;
        }
    }
    assert!(count >= 5, "the corpus is missing");
}

/// The highlight tests of `tree-sitter test` (`// ^ capture` under a line, `// <- capture`
/// for its first column), run with the committed parser and query.
#[test]
fn tree_sitter_highlight_tests_pass() {
    let text = read("editors/tree-sitter-egw/test/highlight/sample.egw");
    let query = Query::new(&language(), tree_sitter_egw::HIGHLIGHTS_QUERY).unwrap();
    let mut parser = Parser::new();
    parser.set_language(&language()).unwrap();
    let tree = parser.parse(&text, None).unwrap();
    let mut spans = Vec::new(); // (start, end, capture name)
    let mut cursor = QueryCursor::new();
    let mut captures = cursor.captures(&query, tree.root_node(), text.as_bytes());
    while let Some((m, i)) = captures.next() {
        let c = m.captures()[*i];
        let (start, end) = (c.node.start_position(), c.node.end_position());
        let name = query.capture_names()[c.index as usize];
        spans.push(((start.row, start.column), (end.row, end.column), name));
    }
    let covers = |row: usize, col: usize, name: &str| {
        spans
            .iter()
            .any(|&(start, end, n)| n == name && start <= (row, col) && (row, col) < end)
    };
    let mut target_row = 0;
    let mut checked = 0;
    for (row, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let assertion = trimmed.strip_prefix("//").map(str::trim_start);
        let (col, name) = match assertion {
            Some(rest) if rest.starts_with("<-") => (0, rest[2..].trim()),
            Some(rest) if rest.starts_with('^') => {
                (line.find('^').unwrap(), rest.trim_start_matches('^').trim())
            }
            _ => {
                target_row = row;
                continue;
            }
        };
        assert!(
            covers(target_row, col, name),
            "sample.egw:{}:{}: no @{name}",
            target_row + 1,
            col + 1
        );
        checked += 1;
    }
    assert!(checked >= 15, "the highlight assertions are missing");
}
