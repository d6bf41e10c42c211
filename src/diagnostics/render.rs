//! Rendering diagnostics for people, through miette's graphical handler (for tools:
//! `machine.rs`).

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceSpan, SpanContents,
};

use super::{Diagnostic, Label, Severity};
use crate::source::{FileId, SourceMap};

/// How to draw human diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Color,
    Plain,
}

/// At most this many diagnostics of one file are drawn; the rest are counted by code in one
/// line (`egwc check --format json` lists them all). Errors are drawn first.
pub const MAX_DRAWN_PER_FILE: usize = 50;

/// The rendering of all diagnostics, as a person reads them, with a summary line.
pub fn render_human(sources: &SourceMap, diags: &[Diagnostic], style: Style) -> String {
    let mut out = Vec::new();
    write_human(&mut out, sources, diags, style).expect("writing into memory cannot fail");
    String::from_utf8(out).expect("diagnostics are UTF-8")
}

/// Writes the human rendering as it goes, one diagnostic at a time, so memory does not grow
/// with the number of diagnostics: at most [`MAX_DRAWN_PER_FILE`] per file, each line of
/// source shown as an excerpt of bounded length.
pub fn write_human(
    out: &mut dyn std::io::Write,
    sources: &SourceMap,
    diags: &[Diagnostic],
    style: Style,
) -> std::io::Result<()> {
    let theme = match style {
        Style::Color => GraphicalTheme::unicode(),
        Style::Plain => GraphicalTheme::unicode_nocolor(),
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100);
    let mut text = String::new();
    for file_diags in diags.chunk_by(|a, b| a.primary_span().file == b.primary_span().file) {
        let (drawn, rest) = drawn_first(file_diags);
        for diag in drawn {
            text.clear();
            let report = Report::new(sources, diag);
            // Writing into a String cannot fail.
            let _ = handler.render_report(&mut text, &report);
            text.push('\n');
            out.write_all(text.as_bytes())?;
        }
        if !rest.is_empty() {
            let file = &sources.get(file_diags[0].primary_span().file).name;
            writeln!(out, "{}\n", more(file, &rest))?;
        }
    }
    if !diags.is_empty() {
        writeln!(out, "{}", summary(diags))?;
    }
    out.flush()
}

/// The diagnostics of one file that are drawn, in order (errors first when there are too
/// many), and those that are only counted.
fn drawn_first(diags: &[Diagnostic]) -> (Vec<&Diagnostic>, Vec<&Diagnostic>) {
    if diags.len() <= MAX_DRAWN_PER_FILE {
        return (diags.iter().collect(), Vec::new());
    }
    let mut order: Vec<usize> = (0..diags.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(diags[i].severity()), i));
    let rest_indices = order.split_off(MAX_DRAWN_PER_FILE);
    order.sort_unstable();
    let mut rest: Vec<&Diagnostic> = rest_indices.iter().map(|&i| &diags[i]).collect();
    rest.sort_by_key(|d| d.code);
    (order.into_iter().map(|i| &diags[i]).collect(), rest)
}

/// `… and 12,345 more in x.egw: 12,340 E0003 invalid-escape, 5 E0100 unknown-service`.
fn more(file: &str, rest: &[&Diagnostic]) -> String {
    let counts: Vec<String> = rest
        .chunk_by(|a, b| a.code == b.code)
        .map(|same| {
            let info = same[0].code.info();
            format!(
                "{} {} {}",
                super::thousands(same.len()),
                info.code,
                info.name
            )
        })
        .collect();
    format!(
        "… and {} more in {file}: {} (`egwc check --format json` lists every one)",
        super::thousands(rest.len()),
        counts.join(", ")
    )
}

/// `2 errors, 1 warning, 1 note`, leaving out the kinds there are none of.
fn summary(diags: &[Diagnostic]) -> String {
    let count = |severity| diags.iter().filter(|d| d.severity() == severity).count();
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    [
        (count(Severity::Error), "error"),
        (count(Severity::Warning), "warning"),
        (count(Severity::Note), "note"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| plural(n, what))
    .collect::<Vec<_>>()
    .join(", ")
}

/// A miette view of one diagnostic. Labels near the primary label (within
/// [`Excerpt::NEAR`] lines of it, in its file) are drawn in one snippet; labels in other
/// files (a duplicate defined in an imported file) or far away become related reports, each
/// with its own snippet.
struct Report {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Excerpt,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn new(sources: &SourceMap, diag: &Diagnostic) -> Report {
        Report::with(sources, diag, Excerpt::new)
    }

    /// The report, with `excerpt` choosing what of each file it shows.
    fn with(
        sources: &SourceMap,
        diag: &Diagnostic,
        excerpt: impl Fn(&SourceMap, FileId, &[&Label]) -> Excerpt,
    ) -> Report {
        let info = diag.code.info();
        let primary = diag.primary_span();
        let file = primary.file;
        // A label far from the primary one is drawn on its own, like one in another file:
        // one snippet from the first label to the last would show every line between them.
        let f = sources.get(file);
        let primary_line = f.line_of(primary.start);
        let near = |l: &&Label| {
            l.span.file == file
                && f.line_of(l.span.start).abs_diff(primary_line) <= Excerpt::NEAR
                && f.line_of(l.span.end).abs_diff(primary_line) <= Excerpt::NEAR
        };
        let (here, elsewhere): (Vec<&Label>, Vec<&Label>) = diag.labels.iter().partition(near);
        let related = elsewhere
            .into_iter()
            .map(|label| {
                let source = excerpt(sources, label.span.file, &[label]);
                Report {
                    message: label.message.clone(),
                    code: String::new(),
                    severity: miette::Severity::Advice,
                    help: None,
                    labels: vec![source.labeled(label)],
                    source,
                    related: Vec::new(),
                }
            })
            .collect();
        let source = excerpt(sources, file, &here);
        Report {
            message: diag.message.clone(),
            code: format!("{} {}", info.code, info.name),
            severity: match diag.severity() {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Note => miette::Severity::Advice,
            },
            help: diag.help.clone(),
            labels: here.into_iter().map(|l| source.labeled(l)).collect(),
            source,
            related,
        }
    }
}

/// The lines of a file around some labels, which is all a report shows, with each line longer
/// than [`Excerpt::MAX_LINE`] bytes cut to a window around its first label. Handing miette
/// the whole file instead would have it copy and scan the file from its start for every
/// diagnostic, and a whole long line for each of its errors: time and output quadratic in
/// the input.
struct Excerpt {
    name: String,
    /// The lines shown, long ones cut (`…` marks a cut).
    text: String,
    /// The 0-based line of the file where `text` begins.
    first_line: usize,
    /// The parts of the file that `text` holds, in order.
    pieces: Vec<Piece>,
}

/// `len` bytes of the file from `file`, at `local` in the excerpt.
#[derive(Clone, Copy, Debug)]
struct Piece {
    local: usize,
    file: usize,
    len: usize,
    /// Where in the file the piece's line starts, for its columns.
    line_start: usize,
}

impl Excerpt {
    /// Lines kept around the labels: more than the handler's context lines (one), so miette
    /// shows what it would show of the whole file.
    const MARGIN: usize = 3;
    /// Lines longer than this are cut.
    const MAX_LINE: usize = 160;
    /// How many lines from the primary label another label may be to share its snippet.
    const NEAR: usize = 12;
    /// How much of a cut line is shown before its first label.
    const BEFORE: usize = 40;

    fn new(sources: &SourceMap, file: FileId, labels: &[&Label]) -> Excerpt {
        let f = sources.get(file);
        let from = labels.iter().map(|l| l.span.start).min().unwrap_or(0);
        let to = labels.iter().map(|l| l.span.end).max().unwrap_or(0);
        let first_line = f.line_of(from).saturating_sub(Self::MARGIN);
        let last_line = f.line_of(to) + Self::MARGIN;
        Excerpt::lines(f, first_line..=last_line, labels, Self::MAX_LINE)
    }

    /// `lines` of `f`, each cut to `max_line` bytes around its first label.
    fn lines(
        f: &crate::source::SourceFile,
        lines: std::ops::RangeInclusive<usize>,
        labels: &[&Label],
        max_line: usize,
    ) -> Excerpt {
        let first_line = *lines.start();
        let mut excerpt = Excerpt {
            name: f.name.clone(),
            text: String::new(),
            first_line,
            pieces: Vec::new(),
        };
        for line in lines {
            let start = f.line_start(line);
            if start >= f.text.len() {
                break;
            }
            let end = f.line_start(line + 1);
            let body_end = if f.text[..end].ends_with('\n') {
                end - 1
            } else {
                end
            };
            if body_end - start <= max_line {
                excerpt.push(&f.text, start, end, start);
                continue;
            }
            let first_label = labels
                .iter()
                .map(|l| l.span.start as usize)
                .filter(|&p| (start..=body_end).contains(&p))
                .min();
            let floor = |mut at: usize| {
                while !f.text.is_char_boundary(at) {
                    at -= 1;
                }
                at
            };
            let a = floor(first_label.map_or(start, |p| p.saturating_sub(Self::BEFORE).max(start)));
            let b = floor((a + max_line).min(body_end));
            if a > start {
                excerpt.text.push('…');
            }
            excerpt.push(&f.text, a, b, start);
            if b < body_end {
                excerpt.text.push('…');
            }
            excerpt.text.push_str(&f.text[body_end..end]);
        }
        excerpt
    }

    fn push(&mut self, text: &str, from: usize, to: usize, line_start: usize) {
        self.pieces.push(Piece {
            local: self.text.len(),
            file: from,
            len: to - from,
            line_start,
        });
        self.text.push_str(&text[from..to]);
    }

    /// Where a file offset is in the excerpt; an offset that was cut out is moved to the end
    /// of the piece before it.
    fn local(&self, offset: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.file <= offset);
        match i.checked_sub(1).map(|i| self.pieces[i]) {
            Some(p) => p.local + (offset - p.file).min(p.len),
            None => 0,
        }
    }

    /// The file's column (in bytes from its line's start) of an excerpt offset.
    fn column(&self, local: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.local <= local);
        match i.checked_sub(1).map(|i| self.pieces[i]) {
            Some(p) => p.file + (local - p.local).min(p.len) - p.line_start,
            None => 0,
        }
    }

    fn labeled(&self, label: &Label) -> LabeledSpan {
        let start = self.local(label.span.start as usize);
        let end = self.local(label.span.end as usize).max(start);
        let span = SourceSpan::new(start.into(), end - start);
        if label.primary {
            LabeledSpan::new_primary_with_span(Some(label.message.clone()), span)
        } else {
            LabeledSpan::new_with_span(Some(label.message.clone()), span)
        }
    }
}

impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let c = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        // The file's lines and columns, not the excerpt's.
        let column = if context_lines_before > 0 {
            0 // as miette gives it
        } else {
            self.column(c.span().offset())
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            *c.span(),
            c.line() + self.first_line,
            column,
            c.line_count() + self.first_line,
        )))
    }
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::diagnostics::Code;
    use crate::source::Span;

    fn one_file(text: &str) -> (SourceMap, FileId) {
        let mut sources = SourceMap::default();
        let file = sources.add("f.egw".into(), "f.egw".into(), PathBuf::new(), text.into());
        (sources, file)
    }

    /// A report drawn from an excerpt is drawn as from the whole file: for labels on every
    /// line, first and last lines and line ends included, and for two labels lines apart.
    #[test]
    fn an_excerpt_renders_as_the_whole_file() {
        let text: String = (0..12)
            .map(|i| format!("line {i} {}\n", "x".repeat(i % 4)))
            .collect::<String>()
            + "last line without newline";
        let (sources, file) = one_file(&text);
        let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor());
        let render = |report: &Report| {
            let mut out = String::new();
            handler.render_report(&mut out, report).unwrap();
            out
        };
        let spans: Vec<(usize, usize)> = (0..text.len())
            .step_by(3)
            .map(|s| (s, (s + 4).min(text.len())))
            .collect();
        for &(start, end) in &spans {
            for second in [None, Some(text.len() - 4), Some(5)] {
                let mut d = Diagnostic::new(
                    Code::SyntaxError,
                    Span::new(file, start, end),
                    "message",
                    "here",
                );
                if let Some(s) = second {
                    d = d.with_label(Span::new(file, s, s + 2), "there");
                }
                let excerpt = render(&Report::new(&sources, &d));
                let whole = Report::with(&sources, &d, |sources, file, labels| {
                    Excerpt::lines(sources.get(file), 0..=usize::MAX / 2, labels, usize::MAX)
                });
                assert_eq!(
                    excerpt,
                    render(&whole),
                    "labels at {start}..{end} and {second:?}"
                );
            }
        }
    }

    /// A label in a long line is drawn from a window of that line, at the file's column.
    #[test]
    fn a_long_line_is_cut_around_its_label() {
        let text = format!(
            "service a {{\n  endpoint \"{}X{}\"\n}}\n",
            "é".repeat(5000),
            "b".repeat(10_000)
        );
        let at = text.find('X').unwrap();
        let (sources, file) = one_file(&text);
        let d = Diagnostic::new(Code::SyntaxError, Span::new(file, at, at + 1), "m", "here");
        let out = render_human(&sources, &[d], Style::Plain);
        assert!(out.len() < 2000, "{out}");
        assert!(out.contains(&format!("[f.egw:2:{}]", at - 12 + 1)), "{out}");
        assert!(out.contains("…ééé"), "{out}");
        assert!(out.contains("Xbbb"), "{out}");
    }
}
