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
}

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
        "target" => Controller::all()
            .map(|c| Candidate {
                label: c.name().to_string(),
                what: What::Target,
            })
            .collect(),
        // The start of an item: at the start of a line, or after a brace.
        _ if last.is_empty() || last.ends_with(['{', '}']) => {
            crate::syntax::keywords_at(text, offset - (line.len() - word))
                .into_iter()
                .map(|label| Candidate {
                    label,
                    what: What::Keyword,
                })
                .collect()
        }
        _ => Vec::new(),
    }
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
