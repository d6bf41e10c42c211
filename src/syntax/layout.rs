//! The layout of `egwc fmt`: one canonical form for `.egw` text (docs/language.md, "Layout").
//!
//! It reads two views of the same text: the parse tree, which gives the structure (blocks and
//! their items, list elements), and a token list, which gives what the tree leaves out
//! (punctuation and comments). It only formats text that parses. The rules:
//! - one item per line, indented two spaces per block level;
//! - a block written on one line stays on one line when it holds no comment and fits in
//!   [`MAX_WIDTH`] columns; an empty block is `{}`;
//! - an item's tokens are separated by one space, with none before `,` and none around `.`;
//! - a list item (endpoints, hosts, match conditions, backends, parents, rewrite and redirect
//!   parts, expected backends) written over several lines gets one element per line, aligned
//!   after its keyword (after `expect ->` for expected backends);
//!   any other item is joined onto one line;
//! - comments stay where they are: on a line of their own at the indent of what follows, or at
//!   the end of a line after one space;
//! - blank lines between items are kept, at most one in a row, never after `{` or before `}`;
//!   the text ends with one newline.

use pest::iterators::Pair;

use super::Rule;
use super::lex::{comment_len, is_block, is_header, is_word_byte, string_len};

/// The widest line a block may be kept on one line in.
pub const MAX_WIDTH: usize = 100;

const INDENT: usize = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Word,
    Str,
    Punct,
    Comment,
}

#[derive(Clone, Copy, Debug)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
    /// Line breaks between the previous token and this one.
    newlines: u32,
}

/// Formats text whose parse tree is `file` (the `file` rule of a successful parse).
pub fn format(text: &str, file: Pair<'_, Rule>) -> String {
    let mut p = Printer {
        text,
        toks: tokens(text),
        next: 0,
        out: String::with_capacity(text.len() + text.len() / 8),
    };
    let mut first = true;
    for item in file.into_inner().filter(|p| p.as_rule() != Rule::EOI) {
        p.item_line(&item, 0, first);
        first = false;
    }
    p.comments_before(text.len(), 0, first);
    p.out
}

/// Splits parsed text into tokens. The text is known to parse, so every byte outside strings
/// and comments is whitespace, a word character or ASCII punctuation.
fn tokens(text: &str) -> Vec<Token> {
    let b = text.as_bytes();
    let mut toks = Vec::new();
    let mut newlines = 0;
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let kind = match b[i] {
            b'\n' => {
                newlines += 1;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i += comment_len(&b[i..]);
                Kind::Comment
            }
            b'"' => {
                i += string_len(&b[i..]);
                Kind::Str
            }
            b'-' if b.get(i + 1) == Some(&b'>') => {
                i += 2;
                Kind::Punct
            }
            c if is_word_byte(c) => {
                while i < b.len() && (is_word_byte(b[i]) || b[i] == b'%') {
                    i += 1;
                }
                Kind::Word
            }
            _ => {
                i += text[i..].chars().next().map_or(1, char::len_utf8);
                Kind::Punct
            }
        };
        toks.push(Token {
            kind,
            start,
            end: i,
            newlines,
        });
        newlines = 0;
    }
    toks
}

/// Items made of repeated elements; written over several lines, they get one element per line.
fn is_list(r: Rule) -> bool {
    matches!(
        r,
        Rule::endpoint_attr
            | Rule::host_attr
            | Rule::match_attr
            | Rule::backends
            | Rule::on_attr
            | Rule::rewrite
            | Rule::redirect
            | Rule::expect_backends
    )
}

struct Printer<'a> {
    text: &'a str,
    toks: Vec<Token>,
    /// The next token to print.
    next: usize,
    out: String,
}

impl<'a> Printer<'a> {
    /// The index of the first token starting at or after byte `at`.
    fn tok_at(&self, at: usize) -> usize {
        self.toks.partition_point(|t| t.start < at)
    }

    fn tok_text(&self, i: usize) -> &'a str {
        let t = self.toks[i];
        let s = &self.text[t.start..t.end];
        if t.kind == Kind::Comment {
            s.trim_end()
        } else {
            s
        }
    }

    fn kind(&self, i: usize) -> Kind {
        self.toks[i].kind
    }

    /// Width in characters of the line being written.
    fn width(&self) -> usize {
        let line = self.out.rsplit('\n').next().unwrap_or("");
        line.chars().count()
    }

    fn pad(&mut self, columns: usize) {
        self.out.extend(std::iter::repeat_n(' ', columns));
    }

    /// Starts a line at `indent`, after one blank line when `blank`.
    fn start_line(&mut self, indent: usize, blank: bool) {
        if blank {
            self.out.push('\n');
        }
        self.pad(indent);
    }

    /// Whether a blank line precedes token `i` in the source.
    fn blank_before(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| t.newlines >= 2)
    }

    /// Prints the comments that come before byte `until`, each on its own line at `indent`.
    /// `first` says no line has been printed yet at this level (no blank line goes first).
    fn comments_before(&mut self, until: usize, indent: usize, mut first: bool) -> bool {
        while self.next < self.toks.len()
            && self.toks[self.next].start < until
            && self.kind(self.next) == Kind::Comment
        {
            let blank = !first && self.blank_before(self.next);
            self.start_line(indent, blank);
            self.out.push_str(self.tok_text(self.next));
            self.out.push('\n');
            self.next += 1;
            first = false;
        }
        first
    }

    /// Ends the current line, keeping a comment that follows on the same source line.
    fn end_line(&mut self) {
        if let Some(t) = self.toks.get(self.next)
            && t.kind == Kind::Comment
            && t.newlines == 0
        {
            self.out.push(' ');
            self.out.push_str(self.tok_text(self.next));
            self.next += 1;
        }
        self.out.push('\n');
    }

    /// An item on lines of its own: the comments before it, the item, a comment after it.
    fn item_line(&mut self, item: &Pair<'_, Rule>, indent: usize, first: bool) {
        let first = self.comments_before(item.as_span().start(), indent, first);
        let blank = !first && self.blank_before(self.next);
        self.start_line(indent, blank);
        self.item(item, indent);
        self.end_line();
    }

    fn item(&mut self, item: &Pair<'_, Rule>, indent: usize) {
        if is_block(item.as_rule()) {
            self.block(item, indent);
        } else {
            self.statement(item);
        }
    }

    fn block(&mut self, block: &Pair<'_, Rule>, indent: usize) {
        let span = block.as_span();
        let open = self.tok_at(span.start());
        let open = open
            + self.toks[open..]
                .iter()
                .position(|t| self.text[t.start..t.end] == *"{")
                .expect("a block has `{`");
        let close = self.tok_at(span.end()) - 1;
        self.inline(self.next, open, &[], 1);
        let header_comment = self.kind(open - 1) == Kind::Comment;
        if header_comment {
            self.out.push('\n');
            self.pad(indent);
        } else {
            self.out.push(' ');
        }
        if open + 1 == close {
            self.out.push_str("{}");
            self.next = close + 1;
            return;
        }
        let items: Vec<Pair<'_, Rule>> = block
            .clone()
            .into_inner()
            .filter(|p| !is_header(p.as_rule()))
            .collect();
        let flat = !header_comment && self.toks[open + 1..=close].iter().all(|t| t.newlines == 0);
        if flat {
            let mark = (self.out.len(), self.next);
            self.out.push('{');
            self.next = open + 1;
            for item in &items {
                self.out.push(' ');
                self.item(item, indent + INDENT);
            }
            self.out.push_str(" }");
            self.next = close + 1;
            // A nested block that did not fit has broken the line: then this one cannot be flat.
            if !self.out[mark.0..].contains('\n') && self.width() <= MAX_WIDTH {
                return;
            }
            self.out.truncate(mark.0);
            self.next = mark.1;
        }
        self.out.push('{');
        self.next = open + 1;
        self.end_line();
        let mut first = true;
        for item in &items {
            self.item_line(item, indent + INDENT, first);
            first = false;
        }
        self.comments_before(self.toks[close].start, indent + INDENT, first);
        self.pad(indent);
        self.out.push('}');
        self.next = close + 1;
    }

    /// A statement on the current line: list elements written over several lines go one per
    /// line, aligned after the first token.
    fn statement(&mut self, item: &Pair<'_, Rule>) {
        let span = item.as_span();
        let (from, mut to) = (self.tok_at(span.start()), self.tok_at(span.end()));
        // A list's span runs over the comments after its last element (pest's repetition
        // skips them looking for another): they belong to what follows.
        while to > from + 1 && self.kind(to - 1) == Kind::Comment {
            to -= 1;
        }
        let multiline = self.toks[from + 1..to].iter().any(|t| t.newlines > 0);
        let breaks: Vec<usize> = if multiline && is_list(item.as_rule()) {
            // The words before the first element, and the first element itself.
            let skip = match item.as_rule() {
                Rule::backends => 1,
                Rule::expect_backends => 3,
                _ => 2,
            };
            item.clone()
                .into_inner()
                .skip(skip)
                .map(|element| self.tok_at(element.as_span().start()))
                .collect()
        } else {
            Vec::new()
        };
        // `expect -> a, b`: the elements align after `->`, as they do in a rule.
        let lead = if item.as_rule() == Rule::expect_backends {
            2
        } else {
            1
        };
        self.inline(from, to, &breaks, lead);
    }

    /// Prints tokens `from..to` on the current line, one space apart, breaking after comments,
    /// before own-line comments and before the tokens in `breaks`. Continuation lines are
    /// aligned after the first `lead` tokens.
    fn inline(&mut self, from: usize, to: usize, breaks: &[usize], lead: usize) {
        let align = self.width()
            + (from..(from + lead).min(to))
                .map(|i| self.tok_text(i).chars().count() + 1)
                .sum::<usize>();
        for i in from..to {
            if i > from {
                let t = self.toks[i];
                let prev = self.kind(i - 1);
                let own_line_comment = t.kind == Kind::Comment && t.newlines > 0;
                if prev == Kind::Comment || own_line_comment || breaks.binary_search(&i).is_ok() {
                    self.out.push('\n');
                    self.pad(align);
                } else if self.spaced(i - 1, i) {
                    self.out.push(' ');
                }
            }
            self.out.push_str(self.tok_text(i));
        }
        self.next = to;
    }

    /// Whether one space separates tokens `a` and `b` on a line.
    fn spaced(&self, a: usize, b: usize) -> bool {
        let (ta, tb) = (self.tok_text(a), self.tok_text(b));
        !(tb == "," || ta == "." || tb == ".")
    }
}
