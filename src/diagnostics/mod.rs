//! Diagnostics: the one type every stage reports with, the catalog of codes, and the two
//! renderings (human through miette, machine-readable JSON). The CLI, the golden files and
//! the JSON output all render the same [`Diagnostic`], so wording cannot drift.

mod catalog;
pub mod machine;
mod render;

pub use catalog::{Allowed, Code, CodeInfo};
pub use render::{MAX_DRAWN_PER_FILE, Style, render_human, write_human};

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

    /// Says that egwc refuses, on purpose, what the API server would accept, and why
    /// (docs/validation.md, "Stricter on purpose"): ahead of the help.
    pub fn stricter(mut self, why: &str) -> Self {
        let said = format!("the API server would accept this, but {why}");
        self.help = Some(match self.help.take() {
            Some(help) => format!("{said}; {help}"),
            None => said,
        });
        self
    }

    pub fn with_fix(mut self, span: Span, replacement: impl Into<String>) -> Self {
        self.fix = Some(Fix {
            span,
            replacement: replacement.into(),
        });
        self
    }

    /// The ending of an unknown name written at `span`. With a candidate close to `name`:
    /// the help `did you mean …?`, a fix that writes it (both spelled as `spelling` says) and
    /// a label where it is defined, when that is known. Otherwise `otherwise()` as the help.
    pub fn did_you_mean<'a>(
        self,
        name: &str,
        span: Span,
        candidates: impl IntoIterator<Item = (&'a str, Option<Span>)>,
        spelling: Spelling,
        otherwise: impl FnOnce() -> String,
    ) -> Self {
        let candidates: Vec<(&str, Option<Span>)> = candidates.into_iter().collect();
        let Some(best) = closest(name, candidates.iter().map(|(c, _)| *c)) else {
            return self.with_help(otherwise());
        };
        let (shown, written) = match spelling {
            Spelling::Bare => (best.to_string(), best.to_string()),
            Spelling::Constant => (format!("${{{best}}}"), format!("${{{best}}}")),
            Spelling::Quoted => (best.to_string(), format!("\"{best}\"")),
        };
        let mut d = self
            .with_help(format!("did you mean `{shown}`?"))
            .with_fix(span, written);
        if let Some(at) = candidates
            .iter()
            .find(|(c, _)| *c == best)
            .and_then(|(_, at)| *at)
        {
            d = d.with_label(at, format!("`{best}` is defined here"));
        }
        d
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

/// How a suggested name is written in a "did you mean" help and its fix.
#[derive(Clone, Copy, Debug)]
pub enum Spelling {
    /// As is: a gateway, service or filter group name.
    Bare,
    /// `${name}`: a constant in a string.
    Constant,
    /// `"name"` in the fix: a quoted string, such as a module path.
    Quoted,
}

/// "did you mean" by edit distance (optimal string alignment: Levenshtein plus adjacent
/// transpositions, from `strsim`): the closest candidate within a
/// third of the length, or a candidate the word is a prefix of (`prot` → `protocol`).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        // Names are short; a long hostile one must not cost its length squared, and the
        // distance is at least the difference in length.
        .filter(|c| name.len().max(c.len()) <= 256)
        .filter(|c| c.len().abs_diff(name.len()) <= limit || c.starts_with(name))
        .map(|c| (strsim::osa_distance(name, c), c))
        .filter(|&(d, c)| d <= limit || (name.len() >= 3 && c.starts_with(name)))
        .min()
        .map(|(_, c)| c)
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
