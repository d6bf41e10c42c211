//! Diagnostics for tools (docs/json.md): egwc's JSON document, whose JSON Schema is generated
//! from these types (docs/diagnostics.schema.json), SARIF 2.1.0 for code scanning, and
//! GitHub Actions' workflow commands, which put each diagnostic on the pull request's line.
//! All three are made from the same [`Item`]s.

use schemars::JsonSchema;
use serde::Serialize;

use super::{Diagnostic, Label, Severity};
use crate::diagnostics::Code;
use crate::source::{SourceMap, Span};

/// The version of the JSON document; it changes when a field changes meaning or goes away.
pub const JSON_VERSION: u32 = 1;

/// What `egwc check --format json` prints.
#[derive(Serialize, JsonSchema)]
pub struct Report {
    /// The version of this format: 1.
    pub version: u32,
    /// Every diagnostic of the run, in the order egwc reports them (by file and place).
    pub diagnostics: Vec<Item>,
}

/// One diagnostic.
#[derive(Serialize, JsonSchema)]
pub struct Item {
    /// The file as egwc names it: the path given on the command line, or `<stdin>`.
    pub file: String,
    /// The line of the primary label, from 1.
    pub line: usize,
    /// The column of the primary label, from 1, in Unicode code points.
    pub column: usize,
    /// The code, such as `E0100` (`egwc explain CODE`).
    pub code: String,
    /// The code's name, such as `unknown-service`.
    pub name: String,
    pub severity: SeverityName,
    pub message: String,
    /// What to do about it, when egwc can say.
    pub help: Option<String>,
    /// The places it concerns; one is primary.
    pub labels: Vec<LabelItem>,
    /// The edit that does what the help says, when it is one replacement.
    pub fix: Option<FixItem>,
}

#[derive(Clone, Copy, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SeverityName {
    /// The build fails and writes nothing.
    Error,
    Warning,
    /// Something to know or do outside egwc.
    Note,
}

/// A stretch of a file. Lines and columns count from 1, columns in Unicode code points;
/// `offset` and `length` are in bytes of the UTF-8 file (for tools that slice the file).
#[derive(Serialize, JsonSchema)]
pub struct Place {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// Bytes from the start of the file.
    pub offset: u32,
    /// Bytes.
    pub length: usize,
}

#[derive(Serialize, JsonSchema)]
pub struct LabelItem {
    #[serde(flatten)]
    pub place: Place,
    pub message: String,
    /// Whether it is where the diagnostic is (one label is).
    pub primary: bool,
}

#[derive(Serialize, JsonSchema)]
pub struct FixItem {
    /// Where the replacement goes.
    #[serde(flatten)]
    pub place: Place,
    pub replacement: String,
}

/// Each diagnostic as an [`Item`], its places read in `sources`.
pub fn items(sources: &SourceMap, diags: &[Diagnostic]) -> Vec<Item> {
    let place = |span: Span| {
        let file = sources.get(span.file);
        let (line, column) = file.line_col(span.start);
        let (end_line, end_column) = file.line_col(span.end);
        Place {
            file: file.name.clone(),
            line,
            column,
            end_line,
            end_column,
            offset: span.start,
            length: span.len(),
        }
    };
    let label = |l: &Label| LabelItem {
        place: place(l.span),
        message: l.message.clone(),
        primary: l.primary,
    };
    diags
        .iter()
        .map(|d| {
            let info = d.code.info();
            let primary = d.labels.iter().find(|l| l.primary).unwrap_or(&d.labels[0]);
            let at = place(primary.span);
            Item {
                file: at.file,
                line: at.line,
                column: at.column,
                code: info.code.into(),
                name: info.name.into(),
                severity: severity(d.severity()),
                message: d.message.clone(),
                help: d.help.clone(),
                labels: d.labels.iter().map(label).collect(),
                fix: d.fix.as_ref().map(|f| FixItem {
                    place: place(f.span),
                    replacement: f.replacement.clone(),
                }),
            }
        })
        .collect()
}

fn severity(s: Severity) -> SeverityName {
    match s {
        Severity::Error => SeverityName::Error,
        Severity::Warning => SeverityName::Warning,
        Severity::Note => SeverityName::Note,
    }
}

/// The JSON document of `items`, from one build or several.
pub fn json(items: Vec<Item>) -> String {
    let report = Report {
        version: JSON_VERSION,
        diagnostics: items,
    };
    let mut text = serde_json::to_string_pretty(&report).expect("the report serializes");
    text.push('\n');
    text
}

/// The JSON Schema of [`json`]'s document (docs/diagnostics.schema.json).
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Report);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serializes");
    text.push('\n');
    text
}

/// A SARIF 2.1.0 log of `items`: one run of egwc, a rule for each code of the catalog, a
/// result for each diagnostic with its other labels as related locations. Columns are code
/// points (`columnKind`), as egwc counts them.
pub fn sarif(items: &[Item]) -> String {
    use serde_json::json;
    let rules: Vec<serde_json::Value> = Code::ALL
        .iter()
        .map(|c| {
            let info = c.info();
            json!({
                "id": info.code,
                "name": info.name,
                "shortDescription": { "text": info.summary },
                "fullDescription": { "text": info.explanation },
                "help": { "text": format!("egwc explain {}", info.code) },
                "defaultConfiguration": { "level": level(severity(info.severity)) },
            })
        })
        .collect();
    let index = |code: &str| Code::ALL.iter().position(|c| c.info().code == code);
    let region = |p: &Place| {
        json!({
            "startLine": p.line,
            "startColumn": p.column,
            "endLine": p.end_line,
            "endColumn": p.end_column,
        })
    };
    let location = |p: &Place| {
        json!({
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&p.file) },
                "region": region(p),
            }
        })
    };
    let results: Vec<serde_json::Value> = items
        .iter()
        .map(|item| {
            let primary = item.labels.iter().find(|l| l.primary);
            let text = match &item.help {
                Some(help) => format!("{}\nhelp: {help}", item.message),
                None => item.message.clone(),
            };
            let related: Vec<serde_json::Value> = item
                .labels
                .iter()
                .filter(|l| !l.primary)
                .enumerate()
                .map(|(i, l)| {
                    let mut loc = location(&l.place);
                    loc["id"] = json!(i);
                    loc["message"] = json!({ "text": l.message });
                    loc
                })
                .collect();
            let mut result = json!({
                "ruleId": item.code,
                "level": level(item.severity),
                "message": { "text": text },
                "locations": primary.map(|l| vec![location(&l.place)]).unwrap_or_default(),
            });
            if let Some(i) = index(&item.code) {
                result["ruleIndex"] = json!(i);
            }
            if !related.is_empty() {
                result["relatedLocations"] = json!(related);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "egwc",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).expect("a JSON value serializes");
    text.push('\n');
    text
}

fn level(s: SeverityName) -> &'static str {
    match s {
        SeverityName::Error => "error",
        SeverityName::Warning => "warning",
        SeverityName::Note => "note",
    }
}

/// A file name as a relative URI reference: each path segment percent-encoded where URIs
/// need it.
fn uri(file: &str) -> String {
    let mut out = String::new();
    for b in file.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char);
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// GitHub Actions' workflow commands (`::error file=…,line=…::message`), one line each, so
/// that a workflow running `egwc check --format github` shows each diagnostic on the line of
/// the pull request it is about.
pub fn github(items: &[Item]) -> String {
    let mut out = String::new();
    for item in items {
        let command = match item.severity {
            SeverityName::Error => "error",
            SeverityName::Warning => "warning",
            SeverityName::Note => "notice",
        };
        let primary = item.labels.iter().find(|l| l.primary);
        let (end_line, end_column) = primary.map_or((item.line, item.column), |l| {
            (l.place.end_line, l.place.end_column)
        });
        let message = match &item.help {
            Some(help) => format!("{}\nhelp: {help}", item.message),
            None => item.message.clone(),
        };
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={end_line},endColumn={end_column},title={}::{}\n",
            property(&item.file),
            item.line,
            item.column,
            property(&format!("{} {}", item.code, item.name)),
            data(&message),
        ));
    }
    out
}

/// A workflow command's message: `%`, CR and LF escaped.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_escape_what_would_end_them() {
        assert_eq!(data("50% a\nb\r"), "50%25 a%0Ab%0D");
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn file_names_become_uri_references() {
        assert_eq!(uri("examples/split/main.egw"), "examples/split/main.egw");
        assert_eq!(uri("my dir/é.egw"), "my%20dir/%C3%A9.egw");
    }
}
