//! `egwc import`: `.egw` from what people run today: the values.yaml of the External Gateway
//! Load Balancer chart ([`chart`]), or Gateway API YAML ([`manifests`]), as `kubectl get … -o
//! yaml` prints it or as a repository holds it. The result is in the formatter's layout, with
//! comments where a decision was made; what has no `.egw` form, and what changes on
//! migration, is a [`Note`] with its file, line, object and field. docs/import.md.

mod chart;
mod draft;
mod manifests;
mod rules;
pub mod yaml;

pub use draft::quote;
pub use yaml::Note;

use yaml::{Node, Notes, Obj};

/// What the input is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The chart's values.yaml.
    Chart,
    /// Kubernetes objects: `---`-separated documents, or a `List`.
    Manifests,
}

/// One input: its name for messages, and its text.
pub struct Input {
    pub name: String,
    pub text: String,
}

/// The result: the `.egw` text, the files it names (CA certificates), and the notes.
pub struct Imported {
    pub source: Source,
    pub egw: String,
    /// Files beside the `.egw` (name, contents): the CA certificates of BackendTLSPolicies.
    pub files: Vec<(String, String)>,
    pub notes: Vec<Note>,
}

/// Imports the inputs. `files` says whether files beside the `.egw` can be written (with
/// `--output-dir DIR`): without, a CA ConfigMap stays a `ca configmap` reference. An input that is not
/// YAML, not of the source, or malformed is an error naming its file and line.
pub fn import(inputs: &[Input], source: Option<Source>, files: bool) -> Result<Imported, String> {
    let mut documents = Vec::new();
    for input in inputs {
        let docs = yaml::parse(&input.text).map_err(|e| format!("{}: {e}", input.name))?;
        for d in docs {
            if !d.is_map() {
                return Err(format!(
                    "{}: line {}: a document is {}, not a mapping",
                    input.name,
                    d.line,
                    d.scalar_text()
                ));
            }
            documents.push((input.name.clone(), d));
        }
    }
    let Some((first_name, first)) = documents.first() else {
        return Err("the input holds no YAML document".to_string());
    };
    let source = source.unwrap_or_else(|| infer(first));
    let notes = Notes::default();
    let draft = match source {
        Source::Chart => {
            if documents.len() > 1 {
                return Err(format!(
                    "{}: line {}: a second document: the chart's values are one document (import \
one values file at a time)",
                    documents[1].0, documents[1].1.line
                ));
            }
            if first.get("kind").is_some() && first.get("apiVersion").is_some() {
                return Err(format!(
                    "{first_name}: line {}: a Kubernetes object, not the chart's values (use \
--from manifests)",
                    first.line
                ));
            }
            notes.file(first_name);
            chart::import(first, first_name, &notes).map_err(|e| format!("{first_name}: {e}"))?
        }
        Source::Manifests => manifests::import(&documents, &notes, files)?,
    };
    let text = draft.text();
    let egw = crate::syntax::format(crate::source::FileId(0), &text).map_err(|diags| {
        let first = diags.first().map(|d| d.message.clone()).unwrap_or_default();
        format!(
            "the imported .egw does not parse ({first}); this is a defect of egwc import:\n{text}"
        )
    })?;
    Ok(Imported {
        source,
        egw,
        files: draft.files,
        notes: notes.into_vec(),
    })
}

/// The chart's values have `externalServices` (or `gateway`, `routes`) and no `kind`.
fn infer(first: &Node) -> Source {
    let chart_keys = ["externalServices", "gateway", "routes"];
    if first.get("kind").is_none() && chart_keys.iter().any(|k| first.get(k).is_some()) {
        Source::Chart
    } else {
        Source::Manifests
    }
}

/// The `.egw` name of a Kubernetes name: itself when it is an RFC 1035 label (what the checker
/// asks of names that become object names), else a label made from it, with a note: the
/// object's Kubernetes name changes with it.
pub(crate) fn name(k8s: &str, at: &Obj, notes: &Notes) -> String {
    let egw = label(k8s);
    if egw != k8s {
        notes.note(
            at.line(),
            at.path.trim_end_matches(": ").to_string(),
            format!(
                "{k8s:?} is not an RFC 1035 label, as .egw names are: named `{egw}`, and so is the \
object egwc makes"
            ),
        );
    }
    egw
}

/// A label made from a Kubernetes name: lower case, other characters as `-`, starting with a
/// letter, at most 63 characters.
pub(crate) fn label(k8s: &str) -> String {
    if crate::check::validate::dns1035_label(k8s).is_ok() {
        return k8s.to_string();
    }
    let mut out: String = k8s
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9') => c,
            _ => '-',
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out.insert_str(0, "x-");
    }
    out.truncate(63);
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "x".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_labels() {
        assert_eq!(label("pve-0"), "pve-0");
        assert_eq!(label("api.example.com"), "api-example-com");
        assert_eq!(label("0day"), "x-0day");
        assert_eq!(label("Web_UI-"), "web-ui");
    }
}
