//! The project configuration: `egwc.toml`, found in the directory of the file a command is
//! given (standard input: the working directory) or the nearest one above it, up to the
//! repository's root (the first directory with `.git`). `build`, `check`, `route`, `test`,
//! `graph`, `fmt`, the pre-commit hooks (which run them) and the language server read the
//! same file; command-line flags win over it. docs/config.md.
//!
//! ```toml
//! target = "cilium@1.19"          # as --target
//! allow = ["N0513", "W0406"]      # as --allow, added to the flags'
//! roots = ["home.egw", "lab.egw"] # the builds of `egwc check DIR`, each on its own
//! ```

use std::path::PathBuf;

use serde::Deserialize;

use crate::diagnostics::{Allowed, Code, Diagnostic};
use crate::source::{FileId, Span};
use crate::target::Target;

/// The file's name.
pub const FILE_NAME: &str = "egwc.toml";

/// What a configuration sets.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub target: Option<Target>,
    pub allow: Vec<Allowed>,
    /// The files that each start a build of their own, relative to the file's directory,
    /// for a command given that directory (`load::project`).
    pub roots: Vec<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    target: Option<toml::Spanned<String>>,
    allow: Option<Vec<toml::Spanned<String>>>,
    roots: Option<Vec<toml::Spanned<String>>>,
}

/// Reads a configuration's text. Every mistake is a diagnostic at its place (E0016), and
/// what is valid of the rest still applies.
pub fn parse(file: FileId, text: &str) -> (Config, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut config = Config::default();
    let invalid = |span: std::ops::Range<usize>, message: String, label: &str| {
        let end = span.end.max(span.start).min(text.len());
        let start = span.start.min(end);
        Diagnostic::new(
            Code::InvalidConfig,
            Span::new(file, start, end),
            message,
            label,
        )
    };
    let raw: Raw = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim_end().to_string();
            diags.push(
                invalid(span, format!("{FILE_NAME}: {message}"), "here").with_help(
                    "egwc.toml takes `target = \"NAME[@VERSION]\"`, `allow = [\"CODE\", …]` and \
`roots = [\"FILE.egw\", …]` (docs/config.md)",
                ),
            );
            return (config, diags);
        }
    };
    if let Some(t) = raw.target {
        match t.get_ref().parse::<Target>() {
            Ok(target) => config.target = Some(target),
            Err(e) => diags.push(invalid(t.span(), e, "not a target")),
        }
    }
    for a in raw.allow.into_iter().flatten() {
        match a.get_ref().parse::<Allowed>() {
            Ok(allowed) => config.allow.push(allowed),
            Err(e) => diags.push(invalid(a.span(), e, "cannot be allowed")),
        }
    }
    for r in raw.roots.into_iter().flatten() {
        if !crate::load::stays_inside(r.get_ref()) {
            diags.push(
                invalid(
                    r.span(),
                    format!(
                        "root `{}` is not a file inside the directory of {FILE_NAME}",
                        r.get_ref()
                    ),
                    "not a path inside this directory",
                )
                .with_help("name each root relative to this file's directory, without `..`"),
            );
        } else {
            config.roots.push(PathBuf::from(r.get_ref()));
        }
    }
    (config, diags)
}

impl crate::Options {
    /// These options with a configuration's: the flags' target wins, the allowed codes add up.
    pub fn with_config(&self, config: &Config) -> crate::Options {
        let mut allow = self.allow.clone();
        allow.extend(config.allow.iter().cloned());
        crate::Options {
            target: self.target.or(config.target),
            allow,
            edited: self.edited.clone(),
            parses: self.parses.clone(),
            target_from_config: self.target.is_none() && config.target.is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_configuration_sets_the_target_and_the_allowed_codes() {
        let (c, diags) = parse(
            FileId(0),
            "target = \"istio@1.27\"\nallow = [\"N0513\", \"host-rewrite-drops-port\"]\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(
            c.target.map(|t| t.to_string()).as_deref(),
            Some("istio 1.27")
        );
        assert_eq!(c.allow.len(), 2);
    }

    #[test]
    fn each_mistake_is_a_diagnostic_at_its_place() {
        let text = "target = \"cilum\"\nallow = [\"E0100\", \"N0513\"]\n";
        let (c, diags) = parse(FileId(0), text);
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert_eq!(
            &text[diags[0].primary_span().start as usize..diags[0].primary_span().end as usize],
            "\"cilum\""
        );
        assert!(
            diags[0].message.contains("did you mean `cilium`"),
            "{}",
            diags[0].message
        );
        assert!(diags[1].message.contains("errors cannot be allowed"));
        assert_eq!(c.allow.len(), 1);
    }

    #[test]
    fn roots_stay_inside_the_directory() {
        let text = "roots = [\"home.egw\", \"clusters/lab.egw\", \"../x.egw\", \"/etc/x.egw\"]\n";
        let (c, diags) = parse(FileId(0), text);
        assert_eq!(
            c.roots,
            [PathBuf::from("home.egw"), PathBuf::from("clusters/lab.egw")]
        );
        assert_eq!(diags.len(), 2, "{diags:?}");
        let span = diags[0].primary_span();
        assert_eq!(
            &text[span.start as usize..span.end as usize],
            "\"../x.egw\""
        );
    }

    #[test]
    fn unknown_keys_and_bad_toml_are_diagnostics() {
        let (_, diags) = parse(FileId(0), "targets = \"istio\"\n");
        assert_eq!(diags.len(), 1);
        assert!(
            diags[0].message.contains("unknown field"),
            "{}",
            diags[0].message
        );
        let (_, diags) = parse(FileId(0), "target = [\n");
        assert_eq!(diags.len(), 1);
    }
}
