//! What may be written at a position: the language server's completion. Keywords come from
//! the grammar ([`crate::syntax::keywords_at`]), so they never drift from it; names come from
//! the index of the build ([`crate::index`]); a target from the capability table.

use crate::index::Kind;
use crate::target::Controller;

/// One thing that may be written, and what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub label: String,
    pub what: What,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    Keyword,
    Name(Kind),
    Target,
    /// A value of a closed set: a protocol, a method, a status, a mode, a module's path.
    Value,
    /// A whole block, in the language server's snippet syntax (`${1:name}` placeholders):
    /// one of [`SNIPPETS`].
    Snippet(&'static str),
}

/// The blocks of a file as snippets: each keyword, and a block with the items it needs,
/// in the canonical layout (`egwc fmt`'s). Placeholders hold an example value, so a snippet
/// taken as it is parses.
pub const SNIPPETS: &[(&str, &str)] = &[
    (
        "gateway",
        "gateway ${1:edge} {\n  class \"${2:eg}\"\n  listener ${3:http} { port ${4:80} protocol ${5:HTTP} }\n}",
    ),
    (
        "service",
        "service ${1:name} { endpoint \"${2:10.0.0.1:8080}\" }",
    ),
    (
        "route",
        "route ${1:name} {\n  on ${2:edge}\n  host \"${3:app.example.com}\"\n  rule { -> ${4:service} }\n}",
    ),
    (
        "grpc route",
        "grpc route ${1:name} {\n  on ${2:edge}\n  host \"${3:grpc.example.com}\"\n  rule {\n    match service \"${4:helloworld.Greeter}\"\n    -> ${5:service}\n  }\n}",
    ),
    (
        "tls route",
        "tls route ${1:name} {\n  on ${2:edge}\n  host \"${3:app.example.com}\"\n  rule { -> ${4:service} }\n}",
    ),
    (
        "tcp route",
        "tcp route ${1:name} {\n  on ${2:edge}\n  rule { -> ${3:service} }\n}",
    ),
    (
        "udp route",
        "udp route ${1:name} {\n  on ${2:edge}\n  rule { -> ${3:service} }\n}",
    ),
    (
        "filters",
        "filters ${1:name} { set header \"${2:x-name}\" = \"${3:value}\" }",
    ),
    ("let", "let ${1:name} = \"${2:value}\""),
    (
        "test",
        "test \"${1:what it shows}\" {\n  request \"${2:http://app.example.com/}\"\n  expect -> ${3:service}\n}",
    ),
];

/// The candidates at byte `offset` of `text`, given the names the build defines (kind and
/// name; a listener's name is `gateway.listener`). The editor filters them by what has been
/// typed of the word.
pub fn at(text: &str, offset: usize, names: &[(Kind, String)]) -> Vec<Candidate> {
    let line = &text[text[..offset].rfind('\n').map_or(0, |i| i + 1)..offset];
    // The word being typed (a listener's `gateway.` included), and the line before it.
    let word = line.len()
        - line
            .chars()
            .rev()
            .take_while(|&c| crate::syntax::is_word_char(c) || c == '.')
            .map(char::len_utf8)
            .sum::<usize>();
    let before = line[..word].trim_end();
    match scan(before) {
        Scan::Comment => return Vec::new(),
        // `${` still open in a string: a constant.
        // `import "` : the standard library's modules.
        Scan::String(_) if before.trim_start().starts_with("import") => {
            return values(crate::stdlib::MODULES.iter().map(|m| m.path));
        }
        Scan::String(quoted) => {
            return match quoted.rfind("${") {
                Some(i) if !quoted[i..].contains('}') && !line[word..].contains('.') => {
                    of(names, Kind::Constant)
                }
                _ => Vec::new(),
            };
        }
        Scan::Code => {}
    }
    let last = match before.strip_suffix(',') {
        Some(_) => ",",
        None => before.split_whitespace().next_back().unwrap_or(""),
    };
    let on_line = before.trim_start().starts_with("on ");
    match last {
        "->" | "mirror" => of(names, Kind::Service),
        "," if before.contains("->") => of(names, Kind::Service),
        "use" => of(names, Kind::Filters),
        // A test's request enters a gateway, not a listener.
        "on" if before.trim_start().starts_with("request ") => of(names, Kind::Gateway),
        "on" => [of(names, Kind::Gateway), of(names, Kind::Listener)].concat(),
        "," if on_line => [of(names, Kind::Gateway), of(names, Kind::Listener)].concat(),
        "protocol" => {
            let blocks = open_blocks(&text[..offset]);
            let listener = blocks.last().is_some_and(|b| b.starts_with("listener"));
            let table = if listener {
                crate::ir::LISTENER_PROTOCOLS
            } else {
                crate::ir::SERVICE_PROTOCOLS
            };
            values(table.iter().map(|(name, _)| *name))
        }
        // An HTTP method; a gRPC route's methods are strings.
        "method"
            if !open_blocks(&text[..offset])
                .iter()
                .any(|b| b.starts_with("grpc")) =>
        {
            values(crate::ir::METHODS.iter().map(|(name, _)| *name))
        }
        "status" => values(crate::ir::REDIRECT_STATUSES.iter().map(|s| s.to_string())),
        "mode" => values(["passthrough", "terminate"]),
        "from" => values(["same", "all"]),
        "balance" => values(["on", "off"]),
        "target" => Controller::all()
            .map(|c| Candidate {
                label: c.name().to_string(),
                what: What::Target,
            })
            .collect(),
        // The start of an item: at the start of a line, or after a brace; at the top level,
        // whole blocks too.
        _ if last.is_empty() || last.ends_with(['{', '}']) => {
            let mut found: Vec<Candidate> =
                crate::syntax::keywords_at(text, offset - (line.len() - word))
                    .into_iter()
                    .map(|label| Candidate {
                        label,
                        what: What::Keyword,
                    })
                    .collect();
            if open_blocks(&text[..offset]).is_empty() {
                found.extend(SNIPPETS.iter().map(|(label, body)| Candidate {
                    label: label.to_string(),
                    what: What::Snippet(body),
                }));
            }
            found
        }
        _ => Vec::new(),
    }
}

/// Values, as candidates.
fn values<S: Into<String>>(labels: impl IntoIterator<Item = S>) -> Vec<Candidate> {
    labels
        .into_iter()
        .map(|label| Candidate {
            label: label.into(),
            what: What::Value,
        })
        .collect()
}

/// The heads of the blocks still open at the end of `text` (`service api`, `listener http`,
/// `grpc route greeter`), outermost first: the words before each unclosed `{` on its line.
fn open_blocks(text: &str) -> Vec<&str> {
    let mut open = Vec::new();
    let mut last_cut = 0;
    let closed = crate::syntax::block_ranges(text);
    let b = text.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'{' if closed.binary_search_by_key(&i, |(s, _)| *s).is_err()
                && !in_string_or_comment(text, i) =>
            {
                let line_start = text[..i].rfind(['\n', '{', '}']).map_or(0, |j| j + 1);
                open.push(text[line_start.max(last_cut)..i].trim());
            }
            b'}' => last_cut = i + 1,
            _ => {}
        }
    }
    open
}

/// Whether byte `at` of `text` is inside a string or a comment of its line.
fn in_string_or_comment(text: &str, at: usize) -> bool {
    let line = &text[text[..at].rfind('\n').map_or(0, |i| i + 1)..at];
    !matches!(scan(line), Scan::Code)
}

/// The names of one kind.
fn of(names: &[(Kind, String)], kind: Kind) -> Vec<Candidate> {
    names
        .iter()
        .filter(|(k, _)| *k == kind)
        .map(|(_, name)| Candidate {
            label: name.clone(),
            what: What::Name(kind),
        })
        .collect()
}

/// Where the end of a line's text is: in code, in a string (with the text after its opening
/// quote), or in a comment.
enum Scan<'a> {
    Code,
    String(&'a str),
    Comment,
}

fn scan(line: &str) -> Scan<'_> {
    match crate::syntax::open_string(line) {
        Some(quote) => Scan::String(&line[quote + 1..]),
        None if crate::syntax::comment_start(line).is_some() => Scan::Comment,
        None => Scan::Code,
    }
}

#[cfg(test)]
mod tests {
    /// A snippet as inserted when each placeholder keeps its example value.
    fn expand(body: &str) -> String {
        let mut out = String::new();
        let mut rest = body;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let colon = after.find(':').unwrap();
            let close = after.find('}').unwrap();
            out.push_str(&after[colon + 1..close]);
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn every_snippet_parses_in_the_canonical_layout() {
        for (label, body) in super::SNIPPETS {
            let text = format!("{}\n", expand(body));
            assert!(text.starts_with(label), "{label}");
            let (_, diags) = crate::syntax::parse(crate::source::FileId(0), &text);
            assert!(diags.is_empty(), "{label}: {diags:?}");
            let formatted = crate::syntax::format(crate::source::FileId(0), &text).unwrap();
            assert_eq!(formatted, text, "{label}");
        }
    }

    #[test]
    fn snippets_are_offered_at_the_top_level_only() {
        let snippets = |text: &str| {
            at(text, text.len(), &[])
                .into_iter()
                .filter(|c| matches!(c.what, What::Snippet(_)))
                .count()
        };
        assert_eq!(snippets(""), super::SNIPPETS.len());
        assert_eq!(
            snippets("service a { endpoint \"x\" }\n"),
            super::SNIPPETS.len()
        );
        assert_eq!(snippets("route r {\n  "), 0);
    }

    #[test]
    fn values_of_closed_sets_are_offered_where_they_go() {
        let labels = |text: &str| -> Vec<String> {
            at(text, text.len(), &[])
                .into_iter()
                .map(|c| c.label)
                .collect()
        };
        assert_eq!(
            labels("gateway g {\n  listener l { port 80 protocol "),
            ["HTTP", "HTTPS", "TLS", "TCP", "UDP"]
        );
        assert_eq!(
            labels("service s { endpoint \"a\" protocol "),
            ["HTTP", "HTTPS", "H2C", "TCP", "UDP"]
        );
        assert!(labels("route r { rule { match method ").contains(&"PATCH".to_string()));
        assert!(labels("grpc route r { rule { match service \"a.B\" method ").is_empty());
        assert_eq!(
            labels("route r { rule { redirect status "),
            ["301", "302", "303", "307", "308"]
        );
        assert_eq!(labels("import \""), ["std/headers.egw"]);
        assert_eq!(
            labels("gateway g { listener l { routes from "),
            ["same", "all"]
        );
    }

    use super::*;

    fn labels(text: &str) -> Vec<String> {
        let names = vec![
            (Kind::Service, "api".to_string()),
            (Kind::Gateway, "edge".to_string()),
            (Kind::Listener, "edge.https".to_string()),
            (Kind::Filters, "security-headers".to_string()),
            (Kind::Constant, "domain".to_string()),
        ];
        at(text, text.len(), &names)
            .into_iter()
            .map(|c| c.label)
            .collect()
    }

    #[test]
    fn names_where_the_grammar_takes_them() {
        assert_eq!(labels("route r {\n  rule { -> "), ["api"]);
        assert_eq!(labels("route r {\n  rule { -> a"), ["api"]);
        assert_eq!(labels("route r {\n  rule { -> api 90, "), ["api"]);
        assert_eq!(labels("route r {\n  rule { mirror "), ["api"]);
        assert_eq!(labels("route r {\n  rule { use sec"), ["security-headers"]);
        assert_eq!(labels("route r {\n  on "), ["edge", "edge.https"]);
        assert_eq!(labels("route r {\n  on edge.h"), ["edge", "edge.https"]);
        assert_eq!(labels("test {\n  expect -> "), ["api"]);
        assert_eq!(labels("test {\n  expect -> api 90%, "), ["api"]);
        assert_eq!(labels("test {\n  request \"http://a/\" on "), ["edge"]);
        assert_eq!(labels("route r {\n  host \"pve.${"), ["domain"]);
        assert_eq!(labels("route r {\n  host \"pve.${dom"), ["domain"]);
        assert_eq!(
            labels("gateway g {\n  target "),
            Controller::all().map(Controller::name).collect::<Vec<_>>()
        );
    }

    #[test]
    fn keywords_at_the_start_of_an_item_and_nothing_elsewhere() {
        assert!(labels("service s {\n  ").contains(&"endpoint".to_string()));
        assert!(labels("service s {\n  end").contains(&"endpoint".to_string()));
        assert!(labels("service s { endpoint \"x\" }\n").contains(&"route".to_string()));
        assert_eq!(labels("service s {\n  port "), Vec::<String>::new());
        assert_eq!(labels("route r {\n  host \"pve."), Vec::<String>::new());
        assert_eq!(
            labels("route r {\n  host \"${x}\" // -> "),
            Vec::<String>::new()
        );
    }
}
