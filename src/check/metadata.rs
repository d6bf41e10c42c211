//! Labels, annotations and the description of a definition: valid keys and values, no
//! key twice, none of the keys egwc writes itself, and the server's size limit.

use std::collections::{BTreeMap, HashMap};

use super::{Checker, MAX_ANNOTATION_BYTES, duplicate_attribute, validate};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{DESCRIPTION_ANNOTATION, MANAGED_BY};
use crate::source::Span;
use crate::syntax::ast;

impl<'a> Checker<'a> {
    /// Labels and annotations of a definition, and its `description` (which egwc writes as
    /// an annotation): keys given once, none of the keys egwc writes itself, values the API
    /// server takes, annotations within Kubernetes' total.
    pub(super) fn metadata(
        &mut self,
        labels: &[&ast::KeyValue],
        annotations: &[&ast::KeyValue],
        description: Option<&ast::Str>,
    ) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
        let mut out_labels = BTreeMap::new();
        let mut first: HashMap<&str, Span> = HashMap::new();
        for kv in labels {
            if let Err(reason) = validate::label_key(&kv.key.value) {
                self.invalid_label(&kv.key, "label key", reason);
            } else if let Err(reason) = validate::label_value(&kv.value.value) {
                self.invalid_label(&kv.value, "label value", reason);
            }
            self.metadata_key(&kv.key, "label", &mut first);
            out_labels.insert(kv.key.value.clone(), kv.value.value.clone());
        }
        let mut out_annotations = BTreeMap::new();
        let mut first: HashMap<&str, Span> = HashMap::new();
        let mut total = description.map_or(0, |d| DESCRIPTION_ANNOTATION.len() + d.value.len());
        for kv in annotations {
            if let Err(reason) = validate::label_key(&kv.key.value) {
                self.invalid_label(&kv.key, "annotation key", reason);
            }
            self.metadata_key(&kv.key, "annotation", &mut first);
            self.yaml_text(&kv.value, "annotation value");
            total += kv.key.value.len() + kv.value.value.len();
            out_annotations.insert(kv.key.value.clone(), kv.value.value.clone());
        }
        if let Some(d) = description {
            self.yaml_text(d, "description");
        }
        // What egwc adds (the source, a controller's annotation) takes less than this.
        const EGWC_BYTES: usize = 1024;
        if total + EGWC_BYTES > MAX_ANNOTATION_BYTES {
            let largest = annotations
                .iter()
                .map(|kv| &kv.value)
                .chain(description)
                .max_by_key(|v| v.value.len())
                .expect("annotations or a description make the total");
            self.report(
                Diagnostic::new(
                    Code::InvalidValue,
                    largest.span,
                    format!(
                        "the annotations of this block total {} bytes; Kubernetes allows {} (256 \
KiB) in all, {} of them egwc's",
                        crate::diagnostics::thousands(total),
                        crate::diagnostics::thousands(MAX_ANNOTATION_BYTES),
                        crate::diagnostics::thousands(EGWC_BYTES)
                    ),
                    "the largest",
                )
                .with_help("keep large data out of annotations: a ConfigMap holds up to 1 MiB"),
            );
        }
        (out_labels, out_annotations)
    }

    /// A label or annotation key: given once per block, and not one egwc writes.
    pub(super) fn metadata_key<'k>(
        &mut self,
        key: &'k ast::Str,
        what: &str,
        first: &mut HashMap<&'k str, Span>,
    ) {
        if let Some(&at) = first.get(key.value.as_str()) {
            self.report(duplicate_attribute(
                &format!("{what} \"{}\"", key.value),
                key.span,
                at,
            ));
        }
        first.entry(&key.value).or_insert(key.span);
        let reserved = key.value == MANAGED_BY.0 || key.value.starts_with("egwc/");
        if reserved {
            let help = if key.value == DESCRIPTION_ANNOTATION {
                "write `description \"…\"` in a service; egwc writes it as this annotation"
            } else {
                "egwc writes this key on every object it makes; choose another key"
            };
            self.report(
                Diagnostic::new(
                    Code::ReservedKey,
                    key.span,
                    format!("the {what} `{}` is egwc's", key.value),
                    "egwc writes this key itself",
                )
                .with_help(help),
            );
        }
    }
}
