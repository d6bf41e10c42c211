//! Checking the open documents and publishing what their checks find, once per batch of
//! messages.

use std::collections::BTreeMap;

use lsp_types::{PublishDiagnosticsParams, Uri};

use super::{Server, convert};
use crate::diagnostics::Code;
use crate::source::Span;

impl Server {
    /// Checks the documents marked since the last batch, and clears the files that no check
    /// reports on any more (a closed document's imports, say). What to publish.
    pub(super) fn flush(&mut self) -> Vec<PublishDiagnosticsParams> {
        let dirty = std::mem::take(&mut self.dirty);
        let mut out: BTreeMap<String, PublishDiagnosticsParams> = BTreeMap::new();
        let mut dropped: BTreeMap<String, Uri> = BTreeMap::new();
        for files in std::mem::take(&mut self.closed) {
            dropped.extend(files);
        }
        for key in dirty {
            let (published, before) = self.check(&key);
            for p in published {
                out.insert(p.uri.as_str().to_string(), p);
            }
            dropped.extend(before);
        }
        // A file is cleared only when no open document's build reports on it.
        for (k, uri) in dropped {
            let reported = self.published.values().any(|files| files.contains_key(&k));
            if !reported && !out.contains_key(&k) {
                self.diagnosed.remove(&k);
                out.insert(k, PublishDiagnosticsParams::new(uri, Vec::new(), None));
            }
        }
        out.into_values().collect()
    }

    /// Checks a document in its build: the diagnostics of every file the build read (with
    /// the version of those that are open), and the files its last check reported on.
    fn check(&mut self, key: &str) -> (Vec<PublishDiagnosticsParams>, BTreeMap<String, Uri>) {
        let Some(document) = self.documents.get(key) else {
            return (Vec::new(), BTreeMap::new());
        };
        let build = self.build(document);
        // The last check's trees go back to the kept parses before this one parses.
        self.leftovers = None;
        let Ok((c, leftovers)) =
            crate::analyze_leaving(std::slice::from_ref(&build.input), &build.options)
        else {
            // The root is gone since it was found; a save finds it again.
            return (Vec::new(), BTreeMap::new());
        };
        self.leftovers = Some(leftovers);
        let Some(own) = build.file(&c.sources) else {
            return (Vec::new(), BTreeMap::new());
        };
        let own = (own, &document.uri);
        let mut by_file: BTreeMap<String, (Uri, Vec<lsp_types::Diagnostic>)> = BTreeMap::new();
        for (id, _) in c.sources.files() {
            if let Some(u) = self.uri_of(&c.sources, id, own) {
                by_file.insert(u.as_str().to_string(), (u, Vec::new()));
            }
        }
        let uri_of = |span: Span| self.uri_of(&c.sources, span.file, own);
        let mut codes: BTreeMap<String, Vec<(lsp_types::Range, Code)>> = BTreeMap::new();
        for d in &c.diagnostics {
            if let Some(u) = uri_of(d.primary_span())
                && let Some((_, list)) = by_file.get_mut(u.as_str())
            {
                let published = convert::diagnostic(&c.sources, d, self.encoding, &uri_of);
                codes
                    .entry(u.as_str().to_string())
                    .or_default()
                    .push((published.range, d.code));
                list.push(published);
            }
        }
        for k in by_file.keys() {
            self.diagnosed
                .insert(k.clone(), codes.remove(k).unwrap_or_default());
        }
        let now: BTreeMap<String, Uri> = by_file
            .iter()
            .map(|(k, (u, _))| (k.clone(), u.clone()))
            .collect();
        let mut before = self
            .published
            .insert(key.to_string(), now)
            .unwrap_or_default();
        before.retain(|k, _| !by_file.contains_key(k));
        let published = by_file
            .into_iter()
            .map(|(k, (u, diagnostics))| {
                let version = self.documents.get(&k).map(|d| d.version);
                PublishDiagnosticsParams::new(u, diagnostics, version)
            })
            .collect();
        (published, before)
    }
}
