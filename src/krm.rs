//! egwc as a kustomize generator (docs/gitops.md), in kustomize's two ways of running a
//! program:
//!
//! - a KRM function (`exec:` in the `config.kubernetes.io/function` annotation; `kustomize
//!   build --enable-alpha-plugins --enable-exec`, kpt): a `ResourceList` on standard input,
//!   whose `functionConfig` names the files, and the same list with the objects added on
//!   standard output;
//! - an exec plugin (`kubectl kustomize --enable-alpha-plugins`, whose kustomize has no
//!   `--enable-exec`): the configuration's file as the one argument, the objects as a YAML
//!   stream on standard output.
//!
//! Both run in the kustomization's directory, and the files named must stay inside it, as
//! kustomize's own files do by default (`LoadRestrictionsRootOnly`). This module reads and
//! writes the documents; the CLI compiles.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::diagnostics::machine::{self, SeverityName};
use crate::diagnostics::{Allowed, Diagnostic};
use crate::emit::Manifest;
use crate::source::SourceMap;
use crate::target::Target;

/// The configuration's `apiVersion` and `kind`. An exec plugin is found by them, at
/// `$XDG_CONFIG_HOME/kustomize/plugin/egwc/v1alpha1/build/Build`.
pub const API_VERSION: &str = "egwc/v1alpha1";
pub const KIND: &str = "Build";

/// The generator's configuration (the function config), as a kustomization names it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Config {
    api_version: String,
    kind: String,
    /// Accepted (kustomize needs a name and its annotations) and not read.
    #[serde(default, rename = "metadata")]
    _metadata: serde::de::IgnoredAny,
    spec: Spec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    /// The `.egw` files of one build, relative to the kustomization's directory.
    files: Vec<String>,
    /// As `--target`.
    #[serde(default)]
    target: Option<String>,
    /// As `--allow`, repeated.
    #[serde(default)]
    allow: Vec<String>,
}

/// What a configuration asks for: the files to compile and the options of the build.
#[derive(Debug)]
pub struct Request {
    pub files: Vec<PathBuf>,
    pub options: crate::Options,
}

/// A `ResourceList` as kustomize writes it: the items so far (for a generator, the function
/// config itself, marked local) and the function config.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceListIn {
    api_version: String,
    kind: String,
    #[serde(default)]
    items: Vec<Value>,
    function_config: Option<Value>,
}

/// The function's input: the items to give back, and the request.
pub struct Input {
    api_version: String,
    items: Vec<Value>,
    pub request: Request,
}

/// Reads a `ResourceList` (the KRM function protocol).
pub fn read_resource_list(text: &str) -> Result<Input, String> {
    let list: ResourceListIn =
        from_yaml(text).map_err(|e| format!("standard input is not a ResourceList: {e}"))?;
    if list.kind != "ResourceList" {
        return Err(format!(
            "standard input is a `{}`, not a ResourceList: egwc krm without an argument is a \
KRM function, which kustomize runs with `--enable-alpha-plugins --enable-exec`",
            list.kind
        ));
    }
    let config = list.function_config.ok_or(
        "the ResourceList has no functionConfig: name egwc's configuration in the \
kustomization's `generators` (docs/gitops.md)",
    )?;
    let request = request(config)?;
    Ok(Input {
        api_version: list.api_version,
        items: list.items,
        request,
    })
}

/// Reads the configuration file an exec plugin is given.
pub fn read_config(text: &str) -> Result<Request, String> {
    request(from_yaml(text)?)
}

fn from_yaml<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    // YAML 1.2's booleans only: `on` or `n` is a string, as a name may be.
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let message = e.to_string();
        message.lines().next().unwrap_or_default().to_string()
    })
}

fn request(config: Value) -> Result<Request, String> {
    let config: Config = serde_json::from_value(config)
        .map_err(|e| format!("egwc's configuration (kind {KIND}): {e}"))?;
    if config.api_version != API_VERSION || config.kind != KIND {
        return Err(format!(
            "the configuration is `apiVersion: {}`, `kind: {}`; egwc's is `apiVersion: \
{API_VERSION}`, `kind: {KIND}`",
            config.api_version, config.kind
        ));
    }
    let spec = config.spec;
    if spec.files.is_empty() {
        return Err("`spec.files` is empty: name the .egw files of the build".into());
    }
    let files = spec
        .files
        .iter()
        .map(|f| inside(f).map(Path::to_path_buf))
        .collect::<Result<Vec<_>, _>>()?;
    let target = spec
        .target
        .map(|t| {
            t.parse::<Target>()
                .map_err(|e| format!("`spec.target`: {e}"))
        })
        .transpose()?;
    let allow = spec
        .allow
        .iter()
        .map(|a| {
            a.parse::<Allowed>()
                .map_err(|e| format!("`spec.allow`: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Request {
        files,
        options: crate::Options {
            target,
            allow,
            ..crate::Options::default()
        },
    })
}

/// A file named by the configuration: a relative path that stays in the kustomization's
/// directory (no `..`, no absolute path), as kustomize's load restrictor has it.
fn inside(file: &str) -> Result<&Path, String> {
    if !crate::load::stays_inside(file) {
        return Err(format!(
            "`spec.files`: `{file}` is not a path inside the kustomization's directory: name \
files relative to it, without `..`"
        ));
    }
    Ok(Path::new(file))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResourceListOut<'a> {
    api_version: &'a str,
    kind: &'static str,
    items: Vec<Item<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    results: Vec<KrmResult>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Item<'a> {
    Given(&'a Value),
    Made(&'a Manifest),
}

/// A diagnostic as a KRM function result (the functions specification's `results`).
#[derive(Serialize)]
struct KrmResult {
    message: String,
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<ResultFile>,
}

#[derive(Serialize)]
struct ResultFile {
    path: String,
}

impl Input {
    /// The output `ResourceList`: the items given, then the objects made (none when the
    /// build failed), and each diagnostic as a result.
    pub fn respond(
        &self,
        manifests: &[Manifest],
        sources: &SourceMap,
        diagnostics: &[Diagnostic],
    ) -> String {
        let items = self
            .items
            .iter()
            .map(Item::Given)
            .chain(manifests.iter().map(Item::Made))
            .collect();
        let results = machine::items(sources, diagnostics)
            .into_iter()
            .map(|d| KrmResult {
                message: format!(
                    "{}:{}:{}: {} {}: {}",
                    d.file, d.line, d.column, d.code, d.name, d.message
                ),
                severity: match d.severity {
                    SeverityName::Error => "error",
                    SeverityName::Warning => "warning",
                    SeverityName::Note => "info",
                },
                file: Some(ResultFile { path: d.file }),
            })
            .collect();
        let list = ResourceListOut {
            api_version: &self.api_version,
            kind: "ResourceList",
            items,
            results,
        };
        let options = serde_saphyr::ser_options! { prefer_block_scalars: false };
        let mut out = String::new();
        serde_saphyr::to_fmt_writer_with_options(&mut out, &list, options)
            .expect("a ResourceList serializes to YAML");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_must_stay_inside_the_kustomization() {
        assert!(inside("cluster.egw").is_ok());
        assert!(inside("./clusters/home.egw").is_ok());
        for bad in ["", "../x.egw", "a/../../x.egw", "/etc/passwd"] {
            assert!(inside(bad).is_err(), "{bad:?}");
        }
    }
}
