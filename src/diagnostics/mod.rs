//! Diagnostics: the one type every stage reports with, the catalog of codes, and the two
//! renderings (human through miette, machine-readable JSON). The CLI, the golden files and
//! the JSON output all render the same [`Diagnostic`], so wording cannot drift.

mod catalog;
mod render;

pub use catalog::{Allowed, Code, CodeInfo};
pub use render::{MAX_DRAWN_PER_FILE, Style, render_human, render_json, write_human};

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Something to know or do outside egwc (a controller setting, RBAC); never fails a build.
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
    pub primary: bool,
}

/// One finding about the user's input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// The edit that does what the help says, where it is one replacement ("did you mean
    /// `api`?"): for editors' quick fixes and tools.
    pub fix: Option<Fix>,
}

/// Text to put in place of a span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub span: Span,
    pub replacement: String,
}

impl Diagnostic {
    /// A diagnostic whose primary label is `span`.
    pub fn new(
        code: Code,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            labels: vec![Label {
                span,
                message: label.into(),
                primary: true,
            }],
            help: None,
            fix: None,
        }
    }

    /// A second place that matters ("first defined here").
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_fix(mut self, span: Span, replacement: impl Into<String>) -> Self {
        self.fix = Some(Fix {
            span,
            replacement: replacement.into(),
        });
        self
    }

    pub fn severity(&self) -> Severity {
        self.code.info().severity
    }

    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }

    pub fn primary_span(&self) -> Span {
        self.labels
            .iter()
            .find(|l| l.primary)
            .or(self.labels.first())
            .map(|l| l.span)
            .expect("every diagnostic is built with a primary label by Diagnostic::new")
    }
}

/// Sort diagnostics by position so output is stable and reads top to bottom.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by_key(|d| {
        let s = d.primary_span();
        (s.file, s.start, s.end, d.code)
    });
}

/// A value as quoted in a message: cut after 60 characters, so a long one does not fill
/// the screen (the label shows where it is).
pub fn brief(value: &str) -> String {
    match value.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &value[..at]),
        None => value.to_string(),
    }
}

/// `12345` as `12,345`, for counts and sizes in messages.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// "did you mean" by edit distance (with transpositions): the closest candidate within a
/// third of the length, or a candidate the word is a prefix of (`prot` → `protocol`).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        // Names are short; a long hostile one must not cost its length squared, and the
        // distance is at least the difference in length.
        .filter(|c| name.len().max(c.len()) <= 256)
        .filter(|c| c.len().abs_diff(name.len()) <= limit || c.starts_with(name))
        .map(|c| (edit_distance(name, c), c))
        .filter(|&(d, c)| d <= limit || (name.len() >= 3 && c.starts_with(name)))
        .min()
        .map(|(_, c)| c)
}

/// Optimal string alignment distance: Levenshtein plus adjacent transpositions.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// The catalog as Markdown: the content of `docs/diagnostics.md`.
pub fn catalog_markdown() -> String {
    let mut out = String::from(
        "# Diagnostics\n\nEvery diagnostic egwc reports, with its code and name. Generated by \
`egwc explain --all`; a test keeps this file equal to the catalog in \
`src/diagnostics/catalog.rs`. `egwc explain CODE` prints one entry.\n\nCodes start with E \
for errors, which stop the build, W for warnings and N for notes, which do not. \
`--allow CODE` on `build` and `check` stops reporting a warning or note once you have \
acted on it; errors cannot be allowed.\n",
    );
    for code in Code::ALL {
        let info = code.info();
        out.push_str(&format!(
            "\n## {} `{}` ({})\n\n{}.\n\n{}\n",
            info.code,
            info.name,
            info.severity.as_str(),
            info.summary,
            info.explanation
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_finds_typos_and_ignores_strangers() {
        let names = ["api", "api-canary", "pve"];
        assert_eq!(closest("apii", names), Some("api"));
        assert_eq!(closest("api-canery", names), Some("api-canary"));
        assert_eq!(closest("grafana", names), None);
        assert_eq!(closest("pvv", names), Some("pve"));
        assert_eq!(closest("egde", ["edge"]), Some("edge"));
        assert_eq!(closest("prot", ["port", "protocol"]), Some("port"));
        let long = "a".repeat(100_000);
        assert_eq!(closest(&long, [long.as_str()]), None);
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(12_345_678), "12,345,678");
    }
}
