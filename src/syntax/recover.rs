//! Recovery after a syntax error, so that one run reports every mistake it can. pest stops at
//! the first error; parsing then starts again on the next line, with the rest of the block
//! that line is in (`rule_rest`, `service_rest`, … in the grammar), then the rest of each
//! enclosing block, then the rest of the file. Which blocks are open there is read from the
//! text between where parsing last started and that line: braces, and the keyword that opens
//! each. Where that is unclear (a brace after no block keyword, a block where none may be),
//! or the error is between blocks, parsing starts again at the next line that begins a
//! top-level block, as before it. The text skipped is never guessed at: a file with a syntax
//! error is not checked further.

use pest::Parser;

use super::error::{ErrorDetail, error_position, expected_at, syntax_error};
use super::lex::{self, BLOCK_KEYWORDS, OPENING_KEYWORDS};
use super::{EgwParser, Rule};
use crate::diagnostics::Diagnostic;
use crate::source::FileId;

/// A block open where parsing resumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Block {
    Gateway,
    Listener,
    ListenerTls,
    Service,
    ServiceTls,
    Route,
    Rule,
    Filters,
    Test,
}

impl Block {
    /// The grammar rule for the rest of this block, up to and with its `}`.
    fn rest(self) -> Rule {
        match self {
            Block::Gateway => Rule::gateway_rest,
            Block::Listener => Rule::listener_rest,
            Block::ListenerTls => Rule::listener_tls_rest,
            Block::Service => Rule::service_rest,
            Block::ServiceTls => Rule::service_tls_rest,
            Block::Route => Rule::route_rest,
            Block::Rule => Rule::rule_rest,
            Block::Filters => Rule::filters_rest,
            Block::Test => Rule::test_rest,
        }
    }

    /// The block that `keyword … {` opens inside `parent` (`None`: at the top level), if the
    /// grammar allows one there.
    fn opened_by(keyword: &str, parent: Option<Block>) -> Option<Block> {
        Some(match (parent, keyword) {
            (None, "gateway") => Block::Gateway,
            (None, "service") => Block::Service,
            (None, "route") => Block::Route,
            (None, "filters") => Block::Filters,
            (None, "test") => Block::Test,
            // At the top level, `tls` starts `tls route`.
            (None, "tls") => Block::Route,
            (Some(Block::Gateway), "listener") => Block::Listener,
            (Some(Block::Listener), "tls") => Block::ListenerTls,
            (Some(Block::Service), "tls") => Block::ServiceTls,
            (Some(Block::Route), "rule") => Block::Rule,
            _ => return None,
        })
    }
}

/// The syntax errors of a text that does not parse, one per mistake parsing could resume
/// after.
pub(super) fn syntax_errors(file: FileId, text: &str) -> Vec<Diagnostic> {
    errors_with(file, text, parse_from)
}

/// How a rule is parsed from a position: what [`parse_from`] does, and, in tests, what it
/// must be equal to.
type ParseFrom = fn(Rule, &str, usize) -> Result<usize, pest::error::Error<Rule>>;

fn errors_with(file: FileId, text: &str, parse_from: ParseFrom) -> Vec<Diagnostic> {
    let _detail = ErrorDetail::on();
    let mut diags: Vec<Diagnostic> = Vec::new();
    // Where parsing starts again, and the blocks open there, innermost last.
    let mut at = 0;
    let mut open: Vec<Block> = Vec::new();
    loop {
        // The rest of each open block, innermost first, then the rest of the file.
        let err = loop {
            let rest = open.last().map_or(Rule::file, |b| b.rest());
            match parse_from(rest, text, at) {
                Ok(len) => {
                    if open.pop().is_none() {
                        break None;
                    }
                    at += len;
                }
                Err(err) => break Some(err),
            }
        };
        let Some(err) = err else { break };
        let diag = syntax_error(file, text, &err, at);
        let pos = diag.primary_span().start as usize;
        let last = diags.last().map(|d| d.primary_span().start as usize);
        if last != Some(pos) {
            diags.push(diag);
        }
        match resume(text, pos, at, &open) {
            Some((next, blocks)) => (at, open) = (next, blocks),
            None => break,
        }
    }
    debug_assert!(!diags.is_empty(), "a text that does not parse has an error");
    diags
}

/// Parses `what` on the text from `at`; returns how much it took. The text is given to pest
/// in windows of whole lines, four times larger each time the parse reaches a window's last
/// line, because pest's error costs time in the length of the text after it: given the rest
/// of the file each time, a file with many errors would take time in their number times its
/// length. A parse that fails before a window's last line never read beyond it, so its
/// error is the one the whole text gives.
fn parse_from(what: Rule, text: &str, at: usize) -> Result<usize, pest::error::Error<Rule>> {
    let mut size = 4096;
    loop {
        // Bytes, not `str`: `at + size` may fall inside a character.
        let from = (at + size).min(text.len());
        let end = text.as_bytes()[from..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| from + i + 1);
        let whole = end == text.len();
        let last_line = text[at..end - usize::from(!whole)]
            .rfind('\n')
            .map_or(at, |i| at + i + 1);
        match EgwParser::parse(what, &text[at..end]) {
            // `file` ends with the end of the input: only the whole text says it is there.
            Ok(pairs) if whole || what != Rule::file => {
                let parsed = pairs.peek().expect("pest returns the rule it parsed");
                return Ok(parsed.as_span().end());
            }
            Err(err) if whole || at + error_position(&err) < last_line => return Err(err),
            _ => size *= 4,
        }
    }
}

/// The keywords that may begin an item at byte `offset` of `text`, in the block open there,
/// as the grammar says: what a parse of the rest of that block expects at a character that
/// begins nothing (the language server's completion). Empty where the blocks are unclear.
pub(super) fn keywords_at(text: &str, offset: usize) -> Vec<String> {
    let Some(blocks) = open_blocks(text, 0, offset, &[]) else {
        return Vec::new();
    };
    let rest = blocks.last().map_or(Rule::file, |b| b.rest());
    let probe = "\u{1}";
    let _detail = ErrorDetail::on();
    let Err(err) = EgwParser::parse(rest, probe) else {
        return Vec::new();
    };
    let (_, expected) = expected_at(&err, probe);
    let mut words: Vec<String> = expected
        .iter()
        .filter_map(|e| e.strip_prefix('`')?.strip_suffix('`'))
        .filter(|w| w.chars().all(|c| c.is_ascii_alphabetic()))
        .map(String::from)
        .collect();
    words.sort();
    words.dedup();
    words
}

/// Where parsing starts again after an error at `pos`, parsing having started at `at` with
/// the blocks `open`: a position after `at`, and the blocks open there.
fn resume(text: &str, pos: usize, at: usize, open: &[Block]) -> Option<(usize, Vec<Block>)> {
    let line = line_start(text, pos);
    // A block keyword at the start of the error's line: the block above lacks its `}`.
    if line > at && begins_block(text, line) {
        return Some((line, Vec::new()));
    }
    let next = pos + text[pos..].find('\n')? + 1;
    if !begins_block(text, next)
        && let Some(blocks) = open_blocks(text, at, next, open)
        && !blocks.is_empty()
    {
        return Some((next, blocks));
    }
    next_block_start(text, next).map(|n| (n, Vec::new()))
}

fn line_start(text: &str, pos: usize) -> usize {
    text[..pos].rfind('\n').map_or(0, |i| i + 1)
}

/// Whether the line starting at `line` begins with a top-level block keyword.
fn begins_block(text: &str, line: usize) -> bool {
    let rest = &text[line..];
    BLOCK_KEYWORDS.iter().any(|kw| {
        rest.strip_prefix(kw)
            .is_some_and(|r| r.starts_with([' ', '\t']))
    })
}

/// The first line start at or after `line` where a top-level block begins.
fn next_block_start(text: &str, mut line: usize) -> Option<usize> {
    loop {
        if begins_block(text, line) {
            return Some(line);
        }
        line += text[line..].find('\n')? + 1;
    }
}

/// The blocks open at byte `to`, reading from `from` where `open` are: each `{` opens the
/// block of the first block keyword since the last brace, each `}` closes one. `None` when a
/// `{` opens no block the grammar allows there.
fn open_blocks(text: &str, from: usize, to: usize, open: &[Block]) -> Option<Vec<Block>> {
    let b = text.as_bytes();
    let mut blocks = open.to_vec();
    let mut keyword: Option<&str> = None;
    let mut i = from;
    while i < to {
        match b[i] {
            b'"' => i += lex::string_len(&b[i..to]),
            b'/' if lex::is_comment(&b[i..]) => i += lex::comment_len(&b[i..]),
            b'{' => {
                let block = Block::opened_by(keyword?, blocks.last().copied())?;
                blocks.push(block);
                keyword = None;
                i += 1;
            }
            b'}' => {
                blocks.pop();
                keyword = None;
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                i += lex::word_len(&b[i..to]);
                let word = &text[start..i];
                if keyword.is_none() && OPENING_KEYWORDS.contains(&word) {
                    keyword = Some(word);
                }
            }
            _ => i += 1,
        }
    }
    Some(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_blocks_are_read_from_braces_and_keywords() {
        let text = "gateway g {\n  listener l {\n    tls {\n";
        assert_eq!(
            open_blocks(text, 0, text.len(), &[]),
            Some(vec![Block::Gateway, Block::Listener, Block::ListenerTls])
        );
        // Names that are keywords do not confuse it; strings and comments are skipped.
        let text = "service rule { tls { ca file \"{\" } // {\n";
        assert_eq!(
            open_blocks(text, 0, text.len(), &[]),
            Some(vec![Block::Service])
        );
        // A brace that opens no block the grammar allows there.
        assert_eq!(open_blocks("service s { rule {", 0, 18, &[]), None);
    }

    /// Parsing the whole rest of the text, as [`parse_from`] avoids for speed.
    fn parse_whole(what: Rule, text: &str, at: usize) -> Result<usize, pest::error::Error<Rule>> {
        let pairs = EgwParser::parse(what, &text[at..])?;
        Ok(pairs.peek().expect("a rule").as_span().end())
    }

    #[test]
    fn parsing_in_windows_finds_the_errors_of_parsing_the_whole_rest() {
        // Blocks over several lines, so windows end inside them.
        let good = "service s {\n  endpoint \"10.0.0.1\"\n}\n";
        let broken = [
            "service b { prot HTTP }\n",
            "route r {\n  rule {\n    -> a b\n  }\n  hots \"x\"\n}\n",
            "gateway g {\n  listener l.x {\n    port 80\n  }\n",
        ];
        // Errors near window edges, far apart, and at the very end.
        for gap in [0, 1, 100, 130, 131, 400] {
            let mut text = String::new();
            for b in broken {
                text.push_str(&good.repeat(gap));
                text.push_str(b);
            }
            let fast = errors_with(FileId(0), &text, parse_from);
            let slow = errors_with(FileId(0), &text, parse_whole);
            assert_eq!(fast, slow, "gap {gap}");
            assert!(fast.len() >= 4, "gap {gap}: {fast:?}");
        }
    }

    #[test]
    fn the_keywords_of_each_block_come_from_the_grammar() {
        let at = |text: &str| keywords_at(text, text.len()).join(" ");
        assert_eq!(
            at(""),
            "filters gateway grpc import let namespace route service tcp test tls udp"
        );
        assert_eq!(at("test {\n  "), "expect request");
        assert_eq!(
            at("service s {\n  "),
            "annotation balance description endpoint endpoints label namespace port protocol rewrite tls"
        );
        assert_eq!(at("gateway g { listener l { tls { "), "cert mode");
        assert_eq!(at("service s { tls { "), "ca hostname san");
        assert_eq!(
            at("route r { rule { "),
            "add match mirror redirect remove response rewrite set timeout use"
        );
        assert_eq!(at("service s { rule { "), "");
    }

    #[test]
    fn parsing_resumes_on_the_next_line_inside_its_block() {
        let text = "route r {\n  rule {\n    -> a b\n    timeout 5\n  }\n}\n";
        let error = text.find("b\n").unwrap();
        let next = text.find("    timeout").unwrap();
        assert_eq!(
            resume(text, error, 0, &[]),
            Some((next, vec![Block::Route, Block::Rule]))
        );
        // Reading on from where the last parse started, with the blocks open there.
        let error = text.find("5\n").unwrap();
        let close = text.find("  }").unwrap();
        assert_eq!(
            resume(text, error, next, &[Block::Route, Block::Rule]),
            Some((close, vec![Block::Route, Block::Rule]))
        );
    }

    #[test]
    fn parsing_resumes_at_a_block_keyword_at_the_start_of_a_line() {
        // A block without its `}`: the error is at the next block's keyword, which starts again.
        let text = "service a {\n  port 1\nservice b {}\n";
        let b = text.find("service b").unwrap();
        assert_eq!(resume(text, b, 0, &[]), Some((b, vec![])));
        // Between blocks: the next line that begins a block, skipping indented and longer words.
        let text = "services c\n  route d\nroute e {}\n";
        let e = text.find("route e").unwrap();
        assert_eq!(resume(text, 0, 0, &[]), Some((e, vec![])));
        assert_eq!(resume(text, e, e, &[]), None);
    }
}
