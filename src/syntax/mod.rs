//! Parsing: source text to [`ast::File`]. The only module that sees pest types. Parsing
//! never panics; it returns the tree it could build and the diagnostics it found (a syntax
//! error, bad escapes, numbers too large).

pub mod ast;
mod layout;
mod recover;

pub use layout::{comment_start, open_string};

use pest::Parser;
use pest::iterators::Pair;

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};
use ast::*;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/egw.pest"]
struct EgwParser;

/// Parses one file. On a syntax error the tree is empty and the diagnostics say what was
/// expected, in the language's words: one per mistake parsing could resume after (see
/// [`recover::syntax_errors`]).
///
/// A large file is parsed in pieces, on every core: it is cut after top-level blocks into
/// chunks, each a file of its own, and the items are joined in order. Small pieces also keep
/// pest's token queue, many times the size of its text, small. If a chunk fails, the whole
/// text is parsed again, so a syntax error is reported exactly as for one parse.
pub fn parse(file: FileId, text: &str) -> (File, Vec<Diagnostic>) {
    parse_in_chunks(file, text, &chunks(text, CHUNK_BYTES))
}

/// The size from which a file is cut into chunks of about this size.
const CHUNK_BYTES: usize = 256 * 1024;

fn parse_in_chunks(file: FileId, text: &str, chunks: &[(usize, usize)]) -> (File, Vec<Diagnostic>) {
    if chunks.len() < 2 {
        return parse_chunk(file, text, 0).unwrap_or_else(|_| failed(file, text));
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(chunks.len());
    // Thread `t` parses chunks t, t + threads, t + 2 × threads, …
    let mut results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let mut done = Vec::new();
                    for (i, &(start, end)) in chunks.iter().enumerate().skip(t).step_by(threads) {
                        let result = parse_chunk(file, &text[start..end], start);
                        let failed = result.is_err();
                        done.push((i, result));
                        if failed {
                            break;
                        }
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a parser thread does not panic"))
            .collect()
    });
    results.sort_unstable_by_key(|(i, _)| *i);
    if results.len() < chunks.len() || results.iter().any(|(_, r)| r.is_err()) {
        return failed(file, text);
    }
    let mut ast = File::default();
    let mut diags = Vec::new();
    for (_, result) in results {
        let (chunk, chunk_diags) = result.expect("failures were handled above");
        ast.items.extend(chunk.items);
        ast.has_holes |= chunk.has_holes;
        ast.malformed.extend(chunk.malformed);
        diags.extend(chunk_diags);
    }
    (ast, diags)
}

/// Parses `text`, found at byte `offset` of its file.
fn parse_chunk(
    file: FileId,
    text: &str,
    offset: usize,
) -> Result<(File, Vec<Diagnostic>), Box<pest::error::Error<Rule>>> {
    let mut pairs = EgwParser::parse(Rule::file, text).map_err(Box::new)?;
    let mut builder = Builder {
        file,
        offset,
        diags: Vec::new(),
        has_holes: false,
        malformed: Vec::new(),
    };
    let root = pairs
        .next()
        .expect("pest returns the `file` rule on success");
    let ast = builder.file(root);
    Ok((ast, builder.diags))
}

fn failed(file: FileId, text: &str) -> (File, Vec<Diagnostic>) {
    (File::default(), recover::syntax_errors(file, text))
}

/// pest's detail on what it tried (the furthest position it reached, and the literal tokens
/// it expected there, `{` and `,` among them), on while a value of this type lives. It costs
/// about half again the parse time, so it is on only while a failed text is parsed again.
/// The setting is global: it is on while any thread needs it, counted under a lock so that
/// one thread turning it off cannot race another turning it on.
pub(super) struct ErrorDetail;

static ERROR_DETAIL_USERS: std::sync::Mutex<usize> = std::sync::Mutex::new(0);

impl ErrorDetail {
    pub(super) fn on() -> ErrorDetail {
        let mut users = ERROR_DETAIL_USERS.lock().unwrap_or_else(|e| e.into_inner());
        *users += 1;
        pest::set_error_detail(true);
        ErrorDetail
    }
}

impl Drop for ErrorDetail {
    fn drop(&mut self) {
        let mut users = ERROR_DETAIL_USERS.lock().unwrap_or_else(|e| e.into_inner());
        *users -= 1;
        if *users == 0 {
            pest::set_error_detail(false);
        }
    }
}

pub(super) fn error_position(err: &pest::error::Error<Rule>) -> usize {
    match err.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    }
}

/// Byte ranges that cut `text` into chunks of at least `size` bytes (but the last), each
/// ending just after the `}` that closes a top-level block (outside strings and comments).
/// Text that is not balanced may be cut wrongly; its chunks then fail, and the caller parses
/// it whole.
fn chunks(text: &str, size: usize) -> Vec<(usize, usize)> {
    if text.len() < 2 * size {
        return vec![(0, text.len())];
    }
    let b = text.as_bytes();
    let mut cuts = vec![0];
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => i += layout::string_len(&b[i..]) - 1,
            b'/' if b.get(i + 1) == Some(&b'/') => i += layout::comment_len(&b[i..]) - 1,
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                let last = *cuts.last().expect("cuts start with 0");
                if depth == 0 && i + 1 - last >= size && b.len() - (i + 1) >= size {
                    cuts.push(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    cuts.push(text.len());
    cuts.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Formats one file in the canonical layout (`egwc fmt`). Text that does not parse is not
/// formatted: the error is the same syntax error a build reports.
pub fn format(file: FileId, text: &str) -> Result<String, Vec<Diagnostic>> {
    match EgwParser::parse(Rule::file, text) {
        Ok(mut pairs) => Ok(layout::format(
            text,
            pairs
                .next()
                .expect("pest returns the `file` rule on success"),
        )),
        Err(_) => Err(recover::syntax_errors(file, text)),
    }
}

/// The length of the name (the grammar's `name` token) at the start of `text`; 0 if none.
fn name_len(text: &str) -> usize {
    // Given only the ASCII word it starts with: pest's error costs time in the length of the
    // text it is given, and a string of many `${` would make that quadratic.
    let word = text
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
        .unwrap_or(text.len());
    EgwParser::parse(Rule::name, &text[..word])
        .ok()
        .and_then(|mut pairs| pairs.next())
        .map_or(0, |name| name.as_str().len())
}

/// Whether `text` is exactly a name: what a service, gateway or constant may be called.
pub fn is_name(text: &str) -> bool {
    !text.is_empty() && name_len(text) == text.len()
}

/// The keywords that may begin an item at byte `offset` of `text` (see
/// [`recover::keywords_at`]).
pub fn keywords_at(text: &str, offset: usize) -> Vec<String> {
    recover::keywords_at(text, offset)
}

/// The diagnostic for pest's error on the text from byte `offset` of `text` on.
pub(super) fn syntax_error(
    file: FileId,
    text: &str,
    err: &pest::error::Error<Rule>,
    offset: usize,
) -> Diagnostic {
    let (at, mut expected) = expected_at(err, &text[offset..]);
    let pos = offset + at;
    if let Some(diag) = unclosed_string(file, text, pos) {
        return diag;
    }
    let found = found_at(text, pos);
    let span = Span::new(file, pos, pos + found.len_bytes);
    expected.sort_unstable();
    expected.dedup();
    let list = match expected.as_slice() {
        [] => "something else".to_string(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    };
    let mut diag = Diagnostic::new(
        Code::SyntaxError,
        span,
        format!("expected {list}, found {}", found.description),
        format!("expected {list}"),
    );
    let keywords: Vec<&str> = expected
        .iter()
        .filter_map(|e| e.strip_prefix('`')?.strip_suffix('`'))
        .collect();
    let line_before = &text[text[..pos].rfind('\n').map_or(0, |i| i + 1)..pos];
    if let Some(word) = found.word
        && recover::BLOCK_KEYWORDS.contains(&word)
        && !keywords.contains(&word)
    {
        diag = diag.with_help(format!(
            "`{word}` begins a new block here: does the block above miss its closing `}}`?"
        ));
    } else if let Some(word) = found.word
        && line_before.contains("->")
        && !keywords.contains(&word)
        && word.starts_with(|c: char| c.is_ascii_alphabetic())
    {
        diag = diag.with_help(format!(
            "backends are separated by commas: put a `,` before `{word}`"
        ));
    } else if let Some(word) = found.word
        && let Some(best) = crate::diagnostics::closest(word, keywords.iter().copied())
    {
        diag = diag
            .with_help(format!("did you mean `{best}`?"))
            .with_fix(span, best);
    } else if text[pos..].starts_with('%') && line_before.contains("->") {
        diag = diag.with_help(
            "weights are plain numbers, relative to each other: `-> a 90, b 10` sends 90 % to `a`",
        );
    } else if expected.iter().any(|e| e == "a string") && found.description != "a string" {
        // A value written bare: `endpoint 10.0.0.1`, `path /api`.
        let value = text[pos..]
            .split(|c: char| c.is_whitespace() || c == '}')
            .next()
            .unwrap_or_default();
        if !value.is_empty() {
            diag = diag
                .with_help(format!(
                    "values are strings in double quotes: `\"{value}\"`"
                ))
                .with_fix(
                    Span::new(file, pos, pos + value.len()),
                    format!("\"{value}\""),
                );
        }
    } else if expected.iter().any(|e| e == "a number") && found.description == "a string" {
        // A number in quotes: `port "80"`.
        let quoted = &text[pos..pos + layout::string_len(&text.as_bytes()[pos..])];
        let inner = quoted.trim_matches('"');
        if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
            diag = diag
                .with_help(format!("numbers are written without quotes: `{inner}`"))
                .with_fix(Span::new(file, pos, pos + quoted.len()), inner);
        }
    }
    if diag.help.is_none() {
        diag = diag.with_help("see docs/language.md for what each block may contain");
    }
    diag
}

struct Found<'a> {
    description: String,
    word: Option<&'a str>,
    len_bytes: usize,
}

/// What the parser stopped at, described for a person.
fn found_at(text: &str, pos: usize) -> Found<'_> {
    let rest = text.get(pos..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return Found {
            description: "the end of the file".into(),
            word: None,
            len_bytes: 0,
        };
    };
    if first.is_ascii_alphanumeric() || first == '_' {
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        let word = &rest[..len];
        return Found {
            description: format!("`{word}`"),
            word: Some(word),
            len_bytes: len,
        };
    }
    let description = match first {
        '"' => "a string".to_string(),
        '\n' | '\r' => "the end of the line".to_string(),
        '\0' => "a NUL byte".to_string(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    };
    Found {
        description,
        word: None,
        len_bytes: first.len_utf8(),
    }
}

/// A parse that stops at the end of a line inside a string: the string lacks its closing
/// quote, which is what to say, at the string.
fn unclosed_string(file: FileId, text: &str, pos: usize) -> Option<Diagnostic> {
    let rest = &text[pos..];
    if !(rest.is_empty() || rest.starts_with(['\n', '\r'])) {
        return None;
    }
    let line = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let open = line + open_string(&text[line..pos])?;
    Some(
        Diagnostic::new(
            Code::SyntaxError,
            Span::new(file, open, pos),
            "this string is not closed",
            "no closing `\"` on this line",
        )
        .with_help("end it with `\"` on the same line: a string cannot span lines (`\\n` writes a line break)"),
    )
}

/// Where a parse failed and what was expected there, in the user's words. With pest's
/// detail, that is the furthest position any rule reached and the literal tokens expected
/// there (with the rules tried, when that is also where pest stopped); without it, where
/// pest stopped and the rules it tried.
fn expected_at(err: &pest::error::Error<Rule>, text: &str) -> (usize, Vec<String>) {
    let stopped = error_position(err);
    let rules: Vec<String> = match &err.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives
            .iter()
            .filter_map(|r| describe(*r))
            .flat_map(|words| words.split('|'))
            .map(str::to_string)
            .collect(),
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let Some(attempts) = err.parse_attempts() else {
        return (stopped, rules);
    };
    let at = attempts.max_position;
    // Inside a word (`10x`), the tokens are the ways to continue it; the rules say better.
    let in_word = text[..at]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let mut words: Vec<String> = attempts
        .expected_tokens()
        .iter()
        .filter_map(|t| token_word(&t.to_string(), in_word))
        .collect();
    if words.is_empty() {
        return (stopped, rules);
    }
    if at == stopped {
        words.extend(rules);
    }
    (at, words)
}

/// A literal token of the grammar (as pest displays it) in the user's words; `None` for
/// whitespace, comments, character ranges, and words when the position is inside a word.
fn token_word(token: &str, in_word: bool) -> Option<String> {
    match token {
        "\"" => Some("a string".into()),
        " " | "\t" | "\r" | "\n" | "//" | "-" | "_" => None,
        t if t.contains("..") => None, // a character range, `0..9`
        t if t.bytes().all(|b| b.is_ascii_lowercase()) => (!in_word).then(|| format!("`{t}`")),
        t if t.bytes().all(|b| b.is_ascii_punctuation()) => Some(format!("`{t}`")),
        _ => None,
    }
}

/// The user's words for a grammar rule (several are separated by `|`), or `None` for rules
/// that never show up as expected.
fn describe(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::EOI => "the end of the file",
        Rule::name => "a name",
        Rule::string => "a string",
        Rule::integer => "a number",
        Rule::percent => "a percentage like `10%`",
        Rule::duration => "a duration like `10s`",
        Rule::op => "`=`|`~`",
        Rule::namespace_decl | Rule::kw_namespace => "`namespace`",
        Rule::import_decl | Rule::kw_import => "`import`",
        Rule::let_decl | Rule::kw_let => "`let`",
        Rule::gateway | Rule::kw_gateway => "`gateway`",
        Rule::service | Rule::kw_service => "`service`",
        Rule::route | Rule::kw_route => "`route`",
        Rule::filters | Rule::kw_filters => "`filters`",
        Rule::use_attr | Rule::kw_use => "`use`",
        Rule::class_attr | Rule::kw_class => "`class`",
        Rule::target_attr | Rule::kw_target => "`target`",
        Rule::version => "a version like `1.20`",
        Rule::endpoint => "an endpoint string",
        Rule::kw_as => "`as`",
        Rule::host_rewrite => "`rewrite`",
        Rule::listener | Rule::kw_listener => "`listener`",
        Rule::listener_tls | Rule::service_tls | Rule::kw_tls => "`tls`",
        Rule::cert_attr | Rule::kw_cert => "`cert`",
        Rule::mode_attr | Rule::kw_mode => "`mode`",
        Rule::routes_attr | Rule::kw_routes => "`routes`",
        Rule::kw_from => "`from`",
        Rule::endpoint_attr | Rule::kw_endpoint | Rule::kw_endpoints => "`endpoint`",
        Rule::balance_attr | Rule::kw_balance => "`balance`",
        Rule::on_off => "`on`|`off`",
        Rule::ca_attr | Rule::kw_ca => "`ca`",
        Rule::san_attr | Rule::kw_san => "`san`",
        Rule::ca_file | Rule::kw_file => "`file`",
        Rule::ca_configmap | Rule::kw_configmap => "`configmap`",
        Rule::kw_system => "`system`",
        Rule::description_attr | Rule::kw_description => "`description`",
        Rule::on_attr | Rule::kw_on => "`on`",
        Rule::kw_off => "`off`",
        Rule::parent_ref => "a gateway name",
        Rule::host_attr | Rule::rewrite_host | Rule::redirect_host | Rule::kw_host => "`host`",
        Rule::rule | Rule::kw_rule => "`rule`",
        Rule::match_attr | Rule::kw_match => "`match`",
        Rule::path_cond | Rule::path_value | Rule::kw_path => "`path`",
        Rule::header_cond | Rule::kw_header => "`header`",
        Rule::query_cond | Rule::kw_query => "`query`",
        Rule::method_cond | Rule::kw_method => "`method`",
        Rule::backends => "`->`",
        Rule::backend => "a service name",
        Rule::request_header => "`set`|`add`|`remove`",
        Rule::set_header | Rule::kw_set => "`set`",
        Rule::add_header | Rule::kw_add => "`add`",
        Rule::remove_header | Rule::kw_remove => "`remove`",
        Rule::response_header | Rule::kw_response => "`response`",
        Rule::rewrite | Rule::kw_rewrite => "`rewrite`",
        Rule::redirect | Rule::kw_redirect => "`redirect`",
        Rule::scheme | Rule::kw_http | Rule::kw_https => "`http`|`https`",
        Rule::redirect_port | Rule::port_attr | Rule::kw_port => "`port`",
        Rule::redirect_status | Rule::kw_status => "`status`",
        Rule::kw_prefix => "`prefix`",
        Rule::mirror | Rule::kw_mirror => "`mirror`",
        Rule::timeout_attr | Rule::kw_timeout => "`timeout`",
        Rule::kw_backend => "`backend`",
        Rule::protocol_attr | Rule::kw_protocol => "`protocol`",
        Rule::hostname_attr | Rule::kw_hostname => "`hostname`",
        Rule::label_attr | Rule::kw_label => "`label`",
        Rule::annotation_attr | Rule::kw_annotation => "`annotation`",
        Rule::file
        | Rule::WHITESPACE
        | Rule::COMMENT
        | Rule::item
        | Rule::gateway_item
        | Rule::listener_item
        | Rule::service_item
        | Rule::route_item
        | Rule::filters_item
        | Rule::rule_item
        | Rule::header_action
        | Rule::listener_tls_item
        | Rule::service_tls_item
        | Rule::word_char
        | Rule::gateway_rest
        | Rule::listener_rest
        | Rule::listener_tls_rest
        | Rule::service_rest
        | Rule::service_tls_rest
        | Rule::route_rest
        | Rule::rule_rest
        | Rule::filters_rest => return None,
    })
}

/// The length of a rule's text without the whitespace and comments at its end. A rule that
/// ends in an optional part (`backend = { name ~ integer? }`) takes in the whitespace pest
/// skips before trying that part; a span should end at the rule's last token.
fn without_trailing_space(text: &str) -> usize {
    let mut t = text;
    loop {
        let trimmed = t.trim_end_matches([' ', '\t', '\r', '\n']);
        if trimmed.len() == t.len() {
            return t.len();
        }
        t = trimmed;
        // Strings hold no line break, so the last line starts outside any string.
        let line_start = t.rfind('\n').map_or(0, |i| i + 1);
        match layout::comment_start(&t[line_start..]) {
            Some(at) => t = &t[..line_start + at],
            None => return t.len(),
        }
    }
}

struct Builder {
    file: FileId,
    /// Where the parsed text starts in its file (a chunk of a large file starts later).
    offset: usize,
    diags: Vec<Diagnostic>,
    /// A string with a `${name}` was built.
    has_holes: bool,
    /// The strings with a malformed `${`.
    malformed: Vec<Span>,
}

/// Invariant for every `next()` below: the grammar fixes the children of each rule, so the
/// child asked for exists. A mismatch is a bug in this file, not in the user's input.
const SHAPE: &str = "the grammar guarantees this child";

impl Builder {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let start = self.offset + s.start();
        Span::new(self.file, start, start + without_trailing_space(s.as_str()))
    }

    fn spanned<T>(&self, pair: &Pair<'_, Rule>, node: T) -> Spanned<T> {
        Spanned {
            node,
            span: self.span(pair),
        }
    }

    fn file(&mut self, pair: Pair<'_, Rule>) -> File {
        let mut items = Vec::new();
        for p in pair.into_inner() {
            let item = match p.as_rule() {
                Rule::namespace_decl => Item::Namespace(self.last_string(&p)),
                Rule::import_decl => Item::Import(self.path_string(&p, "an import path")),
                Rule::let_decl => {
                    let mut parts = p.clone().into_inner().skip(1);
                    let name = self.ident(&parts.next().expect(SHAPE));
                    let value = self.string(&parts.next().expect(SHAPE));
                    Item::Let { name, value }
                }
                Rule::gateway => Item::Gateway(self.gateway(&p)),
                Rule::service => Item::Service(self.service(&p)),
                Rule::route => Item::Route(self.route(&p)),
                Rule::filters => Item::Filters(self.filters(&p)),
                _ => continue, // EOI
            };
            items.push(self.spanned(&p, item));
        }
        File {
            items,
            has_holes: self.has_holes,
            malformed: std::mem::take(&mut self.malformed),
        }
    }

    fn ident(&self, pair: &Pair<'_, Rule>) -> Ident {
        Ident {
            text: pair.as_str().to_string(),
            span: self.span(pair),
        }
    }

    /// The name after a block keyword (`gateway NAME {`).
    fn block_name(&self, pair: &Pair<'_, Rule>) -> Ident {
        let name = pair.clone().into_inner().nth(1).expect(SHAPE);
        self.ident(&name)
    }

    fn string(&mut self, pair: &Pair<'_, Rule>) -> Str {
        let span = self.span(pair);
        let raw = pair.as_str();
        let inner = &raw[1..raw.len() - 1];
        // Byte offset of `inner` in the file.
        let base = span.start as usize + 1;
        let mut value = String::with_capacity(inner.len());
        let mut holes = Vec::new();
        let mut chars = inner.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '$' && chars.peek().is_some_and(|&(_, c)| c == '{') {
                let (len, hole) = self.hole(&inner[i..], base + i, value.len());
                value.push_str(&inner[i..i + len]);
                match hole {
                    Some(hole) => holes.push(hole),
                    None => self.malformed.push(span),
                }
                while chars.peek().is_some_and(|&(j, _)| j < i + len) {
                    chars.next();
                }
                continue;
            }
            if c != '\\' {
                value.push(c);
                continue;
            }
            match chars.next() {
                Some((_, '"')) => value.push('"'),
                Some((_, '\\')) => value.push('\\'),
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((_, '$')) => value.push('$'),
                Some((j, other)) => {
                    let start = base + i;
                    let end = base + j + other.len_utf8();
                    self.diags.push(
                        Diagnostic::new(
                            Code::InvalidEscape,
                            Span::new(self.file, start, end),
                            format!("unknown escape sequence `\\{other}`"),
                            "not a known escape",
                        )
                        .with_help(format!(
                            "write `\\\\{other}` for a backslash followed by `{other}`; the escapes are \\\" \\\\ \\n \\t \\$"
                        )),
                    );
                    value.push(other);
                }
                None => {}
            }
        }
        self.has_holes |= !holes.is_empty();
        Str {
            value,
            span,
            holes: holes.into_boxed_slice(),
        }
    }

    /// Reads `${name}` at the start of `text` (which begins with `${`), found at byte `at` of
    /// the file and byte `in_value` of the string's value. Returns how many bytes it takes,
    /// and the hole, or `None` after reporting a malformed one (its text is then kept as is).
    fn hole(&mut self, text: &str, at: usize, in_value: usize) -> (usize, Option<Hole>) {
        let body = &text[2..];
        let name_len = name_len(body);
        if name_len > 0 && body[name_len..].starts_with('}') {
            let len = 2 + name_len + 1;
            let hole = Hole {
                name: body[..name_len].to_string(),
                span: Span::new(self.file, at, at + len),
                start: in_value as u32,
                end: (in_value + len) as u32,
            };
            return (len, Some(hole));
        }
        self.diags.push(
            Diagnostic::new(
                Code::InvalidInterpolation,
                Span::new(self.file, at, at + 2 + name_len),
                "`${` starts a constant, but no `name}` follows",
                "expected a constant's name and `}`",
            )
            .with_help(
                "write `${name}` for the constant `name`, or `\\${` for the characters `${`",
            ),
        );
        (2, None)
    }

    /// A path string (an import, a CA file): read while loading, before constants are known,
    /// so it cannot use one. Its holes are kept, so that the loader does not read it.
    fn path_string(&mut self, pair: &Pair<'_, Rule>, what: &str) -> Str {
        let s = self.last_string(pair);
        if let Some(hole) = s.holes.first() {
            self.diags.push(
                Diagnostic::new(
                    Code::InvalidInterpolation,
                    hole.span,
                    format!("{what} cannot use a constant"),
                    "files are read before constants are known",
                )
                .with_help("write the path out; `\\${` writes the characters `${`"),
            );
        }
        s
    }

    fn last_string(&mut self, pair: &Pair<'_, Rule>) -> Str {
        let p = pair
            .clone()
            .into_inner()
            .filter(|p| p.as_rule() == Rule::string)
            .last()
            .expect(SHAPE);
        self.string(&p)
    }

    fn integer(&mut self, pair: &Pair<'_, Rule>) -> Int {
        let span = self.span(pair);
        let digits = pair.as_str().trim_end_matches('%');
        let value = digits.parse::<u64>().unwrap_or_else(|_| {
            self.diags.push(
                Diagnostic::new(
                    Code::NumberTooLarge,
                    span,
                    "number too large",
                    "does not fit in 64 bits",
                )
                .with_help("ports, weights, status codes and percentages are small numbers"),
            );
            u64::MAX
        });
        Int { value, span }
    }

    fn key_value(&mut self, pair: &Pair<'_, Rule>) -> KeyValue {
        let mut strings = pair
            .clone()
            .into_inner()
            .filter(|p| p.as_rule() == Rule::string);
        let key = self.string(&strings.next().expect(SHAPE));
        let value = self.string(&strings.next().expect(SHAPE));
        KeyValue { key, value }
    }

    /// The value child of a `keyword value` attribute.
    fn value<'i>(&self, pair: &Pair<'i, Rule>) -> Pair<'i, Rule> {
        pair.clone().into_inner().nth(1).expect(SHAPE)
    }

    fn gateway(&mut self, pair: &Pair<'_, Rule>) -> Gateway {
        let name = self.block_name(pair);
        let mut items = Vec::new();
        for p in pair.clone().into_inner().skip(2) {
            let item = match p.as_rule() {
                Rule::class_attr => GatewayItem::Class(self.last_string(&p)),
                Rule::target_attr => {
                    let mut inner = p.clone().into_inner().skip(1);
                    GatewayItem::Target {
                        name: self.ident(&inner.next().expect(SHAPE)),
                        version: inner.next().map(|v| self.ident(&v)),
                    }
                }
                Rule::namespace_decl => GatewayItem::Namespace(self.last_string(&p)),
                Rule::label_attr => GatewayItem::Label(self.key_value(&p)),
                Rule::annotation_attr => GatewayItem::Annotation(self.key_value(&p)),
                Rule::listener => GatewayItem::Listener(self.listener(&p)),
                _ => unreachable!("{SHAPE}: {:?}", p.as_rule()),
            };
            items.push(self.spanned(&p, item));
        }
        Gateway { name, items }
    }

    fn listener(&mut self, pair: &Pair<'_, Rule>) -> Listener {
        let name = self.block_name(pair);
        let mut items = Vec::new();
        for p in pair.clone().into_inner().skip(2) {
            let item = match p.as_rule() {
                Rule::port_attr => ListenerItem::Port(self.integer(&self.value(&p))),
                Rule::protocol_attr => ListenerItem::Protocol(self.ident(&self.value(&p))),
                Rule::hostname_attr => ListenerItem::Hostname(self.last_string(&p)),
                Rule::routes_attr => ListenerItem::RoutesFrom(
                    self.ident(&p.clone().into_inner().nth(2).expect(SHAPE)),
                ),
                Rule::listener_tls => {
                    let mut tls = Vec::new();
                    for t in p.clone().into_inner().skip(1) {
                        let item = match t.as_rule() {
                            Rule::cert_attr => ListenerTlsItem::Cert(self.last_string(&t)),
                            Rule::mode_attr => ListenerTlsItem::Mode(self.ident(&self.value(&t))),
                            _ => unreachable!("{SHAPE}: {:?}", t.as_rule()),
                        };
                        tls.push(self.spanned(&t, item));
                    }
                    ListenerItem::Tls(tls)
                }
                _ => unreachable!("{SHAPE}: {:?}", p.as_rule()),
            };
            items.push(self.spanned(&p, item));
        }
        Listener { name, items }
    }

    fn service(&mut self, pair: &Pair<'_, Rule>) -> Service {
        let name = self.block_name(pair);
        let mut items = Vec::new();
        for p in pair.clone().into_inner().skip(2) {
            let item = match p.as_rule() {
                Rule::endpoint_attr => ServiceItem::Endpoints(
                    p.clone()
                        .into_inner()
                        .skip(1)
                        .map(|e| {
                            let mut strings =
                                e.into_inner().filter(|s| s.as_rule() == Rule::string);
                            Endpoint {
                                address: self.string(&strings.next().expect(SHAPE)),
                                tls_name: strings.next().map(|s| self.string(&s)),
                            }
                        })
                        .collect(),
                ),
                Rule::host_rewrite => {
                    let value = p.clone().into_inner().nth(2).expect(SHAPE);
                    ServiceItem::HostRewrite(
                        (value.as_rule() == Rule::string).then(|| self.string(&value)),
                    )
                }
                Rule::port_attr => ServiceItem::Port(self.integer(&self.value(&p))),
                Rule::protocol_attr => ServiceItem::Protocol(self.ident(&self.value(&p))),
                Rule::balance_attr => {
                    ServiceItem::Balance(p.clone().into_inner().nth(1).map(|s| {
                        let on =
                            s.clone().into_inner().next().expect(SHAPE).as_rule() == Rule::kw_on;
                        self.spanned(&s, on)
                    }))
                }
                Rule::service_tls => {
                    let mut tls = Vec::new();
                    for t in p.clone().into_inner().skip(1) {
                        let item = match t.as_rule() {
                            Rule::hostname_attr => ServiceTlsItem::Hostname(self.last_string(&t)),
                            Rule::san_attr => {
                                let names: Vec<Pair<'_, Rule>> =
                                    t.clone().into_inner().skip(1).collect();
                                ServiceTlsItem::San(names.iter().map(|n| self.string(n)).collect())
                            }
                            Rule::ca_attr => {
                                let source = self.value(&t);
                                ServiceTlsItem::Ca(match source.as_rule() {
                                    Rule::kw_system => CaSource::System,
                                    Rule::ca_file => {
                                        CaSource::File(self.path_string(&source, "a CA file path"))
                                    }
                                    Rule::ca_configmap => {
                                        CaSource::ConfigMap(self.last_string(&source))
                                    }
                                    _ => unreachable!("{SHAPE}: {:?}", source.as_rule()),
                                })
                            }
                            _ => unreachable!("{SHAPE}: {:?}", t.as_rule()),
                        };
                        tls.push(self.spanned(&t, item));
                    }
                    ServiceItem::Tls(tls)
                }
                Rule::namespace_decl => ServiceItem::Namespace(self.last_string(&p)),
                Rule::label_attr => ServiceItem::Label(self.key_value(&p)),
                Rule::annotation_attr => ServiceItem::Annotation(self.key_value(&p)),
                Rule::description_attr => ServiceItem::Description(self.last_string(&p)),
                _ => unreachable!("{SHAPE}: {:?}", p.as_rule()),
            };
            items.push(self.spanned(&p, item));
        }
        Service { name, items }
    }

    fn route(&mut self, pair: &Pair<'_, Rule>) -> Route {
        let name = self.block_name(pair);
        let mut items = Vec::new();
        for p in pair.clone().into_inner().skip(2) {
            let item = match p.as_rule() {
                Rule::on_attr => RouteItem::On(
                    p.clone()
                        .into_inner()
                        .skip(1)
                        .map(|r| {
                            let mut names = r.clone().into_inner();
                            ParentRef {
                                gateway: self.ident(&names.next().expect(SHAPE)),
                                listener: names.next().map(|n| self.ident(&n)),
                                span: self.span(&r),
                            }
                        })
                        .collect(),
                ),
                Rule::host_attr => {
                    let strings: Vec<Pair<'_, Rule>> = p.clone().into_inner().skip(1).collect();
                    RouteItem::Hosts(strings.iter().map(|s| self.string(s)).collect())
                }
                Rule::rule => RouteItem::Rule(self.rule(&p)),
                Rule::namespace_decl => RouteItem::Namespace(self.last_string(&p)),
                Rule::label_attr => RouteItem::Label(self.key_value(&p)),
                Rule::annotation_attr => RouteItem::Annotation(self.key_value(&p)),
                _ => unreachable!("{SHAPE}: {:?}", p.as_rule()),
            };
            items.push(self.spanned(&p, item));
        }
        Route { name, items }
    }

    fn filters(&mut self, pair: &Pair<'_, Rule>) -> Filters {
        let name = self.block_name(pair);
        let mut items = Vec::new();
        for p in pair.clone().into_inner().skip(2) {
            let item = match p.as_rule() {
                Rule::request_header => FiltersItem::RequestHeader(
                    self.header_action(&p.clone().into_inner().next().expect(SHAPE)),
                ),
                Rule::response_header => {
                    FiltersItem::ResponseHeader(self.header_action(&self.value(&p)))
                }
                _ => unreachable!("{SHAPE}: {:?}", p.as_rule()),
            };
            items.push(self.spanned(&p, item));
        }
        Filters { name, items }
    }

    fn rule(&mut self, pair: &Pair<'_, Rule>) -> ast::Rule {
        let mut items = Vec::new();
        for p in pair.clone().into_inner().skip(1) {
            let item = match p.as_rule() {
                Rule::match_attr => {
                    let mut conditions = Vec::new();
                    for c in p.clone().into_inner().skip(1) {
                        let cond = self.condition(&c);
                        conditions.push(self.spanned(&c, cond));
                    }
                    RuleItem::Match(conditions)
                }
                Rule::backends => RuleItem::Backends(
                    p.clone()
                        .into_inner()
                        .map(|b| {
                            let mut parts = b.clone().into_inner();
                            let service = self.ident(&parts.next().expect(SHAPE));
                            let weight = parts.next().map(|w| self.integer(&w));
                            BackendRef {
                                service,
                                weight,
                                span: self.span(&b),
                            }
                        })
                        .collect(),
                ),
                Rule::request_header => RuleItem::RequestHeader(
                    self.header_action(&p.clone().into_inner().next().expect(SHAPE)),
                ),
                Rule::response_header => {
                    RuleItem::ResponseHeader(self.header_action(&self.value(&p)))
                }
                Rule::rewrite => {
                    let mut parts = Vec::new();
                    for r in p.clone().into_inner().skip(1) {
                        let part = match r.as_rule() {
                            Rule::rewrite_host => RewritePart::Host(self.last_string(&r)),
                            Rule::path_value => {
                                let (prefix, value) = self.path_value(&r);
                                RewritePart::Path { prefix, value }
                            }
                            _ => unreachable!("{SHAPE}: {:?}", r.as_rule()),
                        };
                        parts.push(self.spanned(&r, part));
                    }
                    RuleItem::Rewrite(parts)
                }
                Rule::redirect => {
                    let mut parts = Vec::new();
                    for r in p.clone().into_inner().skip(1) {
                        let part = match r.as_rule() {
                            Rule::scheme => RedirectPart::Scheme(self.ident(&r)),
                            Rule::redirect_host => RedirectPart::Host(self.last_string(&r)),
                            Rule::redirect_port => {
                                RedirectPart::Port(self.integer(&self.value(&r)))
                            }
                            Rule::redirect_status => {
                                RedirectPart::Status(self.integer(&self.value(&r)))
                            }
                            Rule::path_value => {
                                let (prefix, value) = self.path_value(&r);
                                RedirectPart::Path { prefix, value }
                            }
                            _ => unreachable!("{SHAPE}: {:?}", r.as_rule()),
                        };
                        parts.push(self.spanned(&r, part));
                    }
                    RuleItem::Redirect(parts)
                }
                Rule::use_attr => RuleItem::Use(self.ident(&self.value(&p))),
                Rule::mirror => {
                    let mut parts = p.clone().into_inner().skip(1);
                    let service = self.ident(&parts.next().expect(SHAPE));
                    let percent = parts.next().map(|n| self.integer(&n));
                    RuleItem::Mirror { service, percent }
                }
                Rule::timeout_attr => {
                    let durations: Vec<Pair<'_, Rule>> = p
                        .clone()
                        .into_inner()
                        .filter(|d| d.as_rule() == Rule::duration)
                        .collect();
                    let text =
                        |d: &Pair<'_, Rule>| Str::plain(d.as_str().to_string(), self.span(d));
                    RuleItem::Timeout {
                        request: text(&durations[0]),
                        backend: durations.get(1).map(text),
                    }
                }
                _ => unreachable!("{SHAPE}: {:?}", p.as_rule()),
            };
            items.push(self.spanned(&p, item));
        }
        ast::Rule { items }
    }

    fn path_value(&mut self, pair: &Pair<'_, Rule>) -> (bool, Str) {
        let prefix = pair
            .clone()
            .into_inner()
            .any(|p| p.as_rule() == Rule::kw_prefix);
        (prefix, self.last_string(pair))
    }

    fn op(&self, pair: Option<&Pair<'_, Rule>>, default: Op) -> Op {
        match pair.map(|p| p.as_str()) {
            Some("=") => Op::Exact,
            Some("~") => Op::Regex,
            _ => default,
        }
    }

    fn condition(&mut self, pair: &Pair<'_, Rule>) -> Condition {
        let children: Vec<Pair<'_, Rule>> = pair.clone().into_inner().collect();
        let op = children.iter().find(|c| c.as_rule() == Rule::op);
        match pair.as_rule() {
            Rule::path_cond => Condition::Path {
                op: self.op(op, Op::Prefix),
                value: self.last_string(pair),
            },
            Rule::header_cond | Rule::query_cond => {
                let op = self.op(op, Op::Exact);
                let name = self.string(&children[1]);
                let value = self.last_string(pair);
                if pair.as_rule() == Rule::header_cond {
                    Condition::Header { name, op, value }
                } else {
                    Condition::Query { name, op, value }
                }
            }
            Rule::method_cond => Condition::Method(self.ident(&children[1])),
            _ => unreachable!("{SHAPE}: {:?}", pair.as_rule()),
        }
    }

    fn header_action(&mut self, pair: &Pair<'_, Rule>) -> HeaderAction {
        let strings: Vec<Pair<'_, Rule>> = pair
            .clone()
            .into_inner()
            .filter(|p| p.as_rule() == Rule::string)
            .collect();
        let name = self.string(&strings[0]);
        match pair.as_rule() {
            Rule::set_header => HeaderAction::Set {
                name,
                value: self.string(&strings[1]),
            },
            Rule::add_header => HeaderAction::Add {
                name,
                value: self.string(&strings[1]),
            },
            Rule::remove_header => HeaderAction::Remove { name },
            _ => unreachable!("{SHAPE}: {:?}", pair.as_rule()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every example and case, parsed in chunks as small as possible, gives the tree and the
    /// diagnostics of one parse.
    #[test]
    fn parsing_in_chunks_is_parsing_whole() {
        let mut files = Vec::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        collect(&root.join("examples"), &mut files);
        collect(&root.join("tests/cases"), &mut files);
        let mut cut = 0;
        for path in files {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let pieces = chunks(&text, 1);
            cut += usize::from(pieces.len() > 1);
            let whole = parse_in_chunks(FileId(0), &text, &[(0, text.len())]);
            let chunked = parse_in_chunks(FileId(0), &text, &pieces);
            assert_eq!(
                format!("{chunked:?}"),
                format!("{whole:?}"),
                "{}",
                path.display()
            );
        }
        assert!(cut > 50, "too few files were cut: {cut}");
    }

    #[test]
    fn chunks_end_after_top_level_blocks_outside_strings_and_comments() {
        let text = "service a { x \"}\" } // }\nservice b { y { } }\nservice c {}";
        let cuts = chunks(text, 1);
        let ends: Vec<&str> = cuts.iter().map(|&(a, b)| &text[a..b]).collect();
        assert_eq!(
            ends,
            [
                "service a { x \"}\" }",
                " // }\nservice b { y { } }",
                "\nservice c {}"
            ]
        );
    }

    fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                collect(&path, out);
            } else if path.extension().is_some_and(|e| e == "egw") {
                out.push(path);
            }
        }
    }
}
