//! Rendering diagnostics: for people through miette's graphical handler, for tools as JSON
//! (file, line, column, code, severity, message, labels). Both read the same `Diagnostic`.

use std::fmt;

use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceSpan, SpanContents,
};

use super::{Diagnostic, Label, Severity};
use crate::source::{FileId, SourceMap, Span};

/// How to draw human diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Color,
    Plain,
}

/// The rendering of all diagnostics, as a person reads them, with a summary line.
pub fn render_human(sources: &SourceMap, diags: &[Diagnostic], style: Style) -> String {
    let theme = match style {
        Style::Color => GraphicalTheme::unicode(),
        Style::Plain => GraphicalTheme::unicode_nocolor(),
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(100);
    let mut out = String::new();
    for diag in diags {
        let report = Report::new(sources, diag);
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, &report);
        out.push('\n');
    }
    if !diags.is_empty() {
        out.push_str(&summary(diags));
        out.push('\n');
    }
    out
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

/// A miette view of one diagnostic. Labels in the primary label's file are drawn in one
/// snippet; labels in other files (a duplicate defined in an imported file) become related
/// reports, each with its own snippet.
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
        let info = diag.code.info();
        let file = diag.primary_span().file;
        let (here, elsewhere): (Vec<&Label>, Vec<&Label>) =
            diag.labels.iter().partition(|l| l.span.file == file);
        let related = elsewhere
            .into_iter()
            .map(|label| Report {
                message: label.message.clone(),
                code: String::new(),
                severity: miette::Severity::Advice,
                help: None,
                source: Excerpt::new(sources, label.span.file, &[label]),
                labels: vec![labeled(label)],
                related: Vec::new(),
            })
            .collect();
        Report {
            message: diag.message.clone(),
            code: format!("{} {}", info.code, info.name),
            severity: match diag.severity() {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Note => miette::Severity::Advice,
            },
            help: diag.help.clone(),
            source: Excerpt::new(sources, file, &here),
            labels: here.into_iter().map(labeled).collect(),
            related,
        }
    }
}

/// The whole lines of a file around some labels, which is all a report shows. Handing miette
/// the whole file instead would have it copy and scan the file from its start for every
/// diagnostic, quadratic in a large file with many of them.
struct Excerpt {
    name: String,
    text: Arc<str>,
    /// The excerpt is `text[start..end]`; it begins at the start of 0-based line `first_line`.
    start: usize,
    end: usize,
    first_line: usize,
}

impl Excerpt {
    /// Lines kept around the labels: more than the handler's context lines (one), so miette
    /// shows what it would show of the whole file.
    const MARGIN: usize = 3;

    fn new(sources: &SourceMap, file: FileId, labels: &[&Label]) -> Excerpt {
        let f = sources.get(file);
        let from = labels.iter().map(|l| l.span.start).min().unwrap_or(0);
        let to = labels.iter().map(|l| l.span.end).max().unwrap_or(0);
        let first_line = f.line_of(from).saturating_sub(Self::MARGIN);
        Excerpt {
            name: f.name.clone(),
            text: Arc::clone(&f.text),
            start: f.line_start(first_line),
            end: f.line_start(f.line_of(to) + Self::MARGIN + 1),
            first_line,
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
        let offset = span
            .offset()
            .checked_sub(self.start)
            .ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new(offset.into(), span.len());
        let excerpt: &'a str = &self.text[self.start..self.end];
        let c = excerpt.read_span(&local, context_lines_before, context_lines_after)?;
        // Back to the whole file's offsets and lines.
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            SourceSpan::new((c.span().offset() + self.start).into(), c.span().len()),
            c.line() + self.first_line,
            c.column(),
            c.line_count() + self.first_line,
        )))
    }
}

fn labeled(label: &Label) -> LabeledSpan {
    let span = SourceSpan::new((label.span.start as usize).into(), label.span.len());
    if label.primary {
        LabeledSpan::new_primary_with_span(Some(label.message.clone()), span)
    } else {
        LabeledSpan::new_with_span(Some(label.message.clone()), span)
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

/// Machine-readable diagnostics: one JSON document with a `diagnostics` array.
pub fn render_json(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    let at = |span: Span| {
        let file = sources.get(span.file);
        let (line, column) = file.line_col(span.start);
        let (end_line, end_column) = file.line_col(span.end);
        serde_json::json!({
            "file": file.name,
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
            "offset": span.start,
            "length": span.len(),
        })
    };
    let position = |label: &Label| {
        let mut place = at(label.span);
        place["message"] = label.message.clone().into();
        place["primary"] = label.primary.into();
        place
    };
    let items: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| {
            let info = d.code.info();
            let primary = d.labels.iter().find(|l| l.primary).unwrap_or(&d.labels[0]);
            let pos = position(primary);
            // Where the fix goes, and what to write there.
            let fix = d.fix.as_ref().map(|f| {
                let mut place = at(f.span);
                place["replacement"] = f.replacement.clone().into();
                place
            });
            serde_json::json!({
                "file": pos["file"],
                "line": pos["line"],
                "column": pos["column"],
                "code": info.code,
                "name": info.name,
                "severity": d.severity().as_str(),
                "message": d.message,
                "help": d.help,
                "labels": d.labels.iter().map(position).collect::<Vec<_>>(),
                "fix": fix,
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&serde_json::json!({ "diagnostics": items }))
        .expect("a JSON value always serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::diagnostics::Code;
    use crate::source::Span;

    /// A report drawn from an excerpt is drawn as from the whole file: for labels on every
    /// line, first and last lines and line ends included, and for two labels lines apart.
    #[test]
    fn an_excerpt_renders_as_the_whole_file() {
        let text: String = (0..12)
            .map(|i| format!("line {i} {}\n", "x".repeat(i % 4)))
            .collect::<String>()
            + "last line without newline";
        let mut sources = SourceMap::default();
        let file = sources.add(
            "f.egw".into(),
            "f.egw".into(),
            PathBuf::new(),
            text.as_str().into(),
        );
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
                let mut report = Report::new(&sources, &d);
                let excerpt = render(&report);
                report.source = Excerpt {
                    name: "f.egw".into(),
                    text: text.as_str().into(),
                    start: 0,
                    end: text.len(),
                    first_line: 0,
                };
                assert_eq!(
                    excerpt,
                    render(&report),
                    "labels at {start}..{end} and {second:?}"
                );
            }
        }
    }
}
