//! The wording of syntax errors: what pest found and expected, said in the language's words
//! (`a service block`, `a string in quotes`), with the position that shows it.

use super::lex::{self, BLOCK_KEYWORDS, describe};
use super::{Rule, open_string};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};

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
    diag = hint(diag, file, text, pos, span, &found, &expected);
    if diag.help.is_none() {
        diag = diag.with_help("see docs/language.md for what each block may contain");
    }
    diag
}

/// The help of a syntax error: what the mistake most likely is, with a fix when it is sure.
fn hint(
    mut diag: Diagnostic,
    file: FileId,
    text: &str,
    pos: usize,
    span: Span,
    found: &Found<'_>,
    expected: &[String],
) -> Diagnostic {
    let keywords: Vec<&str> = expected
        .iter()
        .filter_map(|e| e.strip_prefix('`')?.strip_suffix('`'))
        .collect();
    let line_before = &text[text[..pos].rfind('\n').map_or(0, |i| i + 1)..pos];
    if let Some(word) = found.word
        && BLOCK_KEYWORDS.contains(&word)
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
        let quoted = &text[pos..pos + lex::string_len(&text.as_bytes()[pos..])];
        let inner = quoted.trim_matches('"');
        if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
            diag = diag
                .with_help(format!("numbers are written without quotes: `{inner}`"))
                .with_fix(Span::new(file, pos, pos + quoted.len()), inner);
        }
    }
    diag
}

pub(super) struct Found<'a> {
    description: String,
    word: Option<&'a str>,
    len_bytes: usize,
}

/// What the parser stopped at, described for a person.
pub(super) fn found_at(text: &str, pos: usize) -> Found<'_> {
    let rest = text.get(pos..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return Found {
            description: "the end of the file".into(),
            word: None,
            len_bytes: 0,
        };
    };
    if first.is_ascii_alphanumeric() || first == '_' {
        let len = lex::word_len(rest.as_bytes());
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
pub(super) fn unclosed_string(file: FileId, text: &str, pos: usize) -> Option<Diagnostic> {
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
pub(super) fn expected_at(err: &pest::error::Error<Rule>, text: &str) -> (usize, Vec<String>) {
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
pub(super) fn token_word(token: &str, in_word: bool) -> Option<String> {
    match token {
        "\"" => Some("a string".into()),
        " " | "\t" | "\r" | "\n" | "//" | "-" | "_" => None,
        t if t.contains("..") => None, // a character range, `0..9`
        t if t.bytes().all(|b| b.is_ascii_lowercase()) => (!in_word).then(|| format!("`{t}`")),
        t if t.bytes().all(|b| b.is_ascii_punctuation()) => Some(format!("`{t}`")),
        _ => None,
    }
}

/// The length of a rule's text without the whitespace and comments at its end. A rule that
/// ends in an optional part (`backend = { name ~ integer? }`) takes in the whitespace pest
/// skips before trying that part; a span should end at the rule's last token.
pub(super) fn without_trailing_space(text: &str) -> usize {
    let mut t = text;
    loop {
        let trimmed = t.trim_end_matches([' ', '\t', '\r', '\n']);
        if trimmed.len() == t.len() {
            return t.len();
        }
        t = trimmed;
        // Strings hold no line break, so the last line starts outside any string.
        let line_start = t.rfind('\n').map_or(0, |i| i + 1);
        match lex::comment_start(&t[line_start..]) {
            Some(at) => t = &t[..line_start + at],
            None => return t.len(),
        }
    }
}
