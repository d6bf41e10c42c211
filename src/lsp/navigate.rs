//! What the editor asks about a position or a document: definitions, hover, references,
//! renames, completion, the outline and formatting, from [`crate::index`] over the
//! document's build as the editor holds it.

use std::collections::BTreeMap;

use lsp_types::{
    AnnotatedTextEdit, CodeLens, Command, CompletionItem, DocumentChanges, DocumentHighlight,
    DocumentHighlightKind, DocumentSymbol, FoldingRange, FoldingRangeKind, Hover, HoverContents,
    InlayHint, InlayHintKind, InlayHintLabel, Location, MarkupContent, MarkupKind, OneOf,
    OptionalVersionedTextDocumentIdentifier, PrepareRenameResponse, SelectionRange, SemanticToken,
    SymbolInformation, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use super::{Document, Server, convert};
use crate::diagnostics::Code;
use crate::index::{self, Index};
use crate::load::{self, Loaded};
use crate::source::{FileId, Span};

impl Server {
    /// The document's build, parsed (not checked), with its index of names and the
    /// document's file in it.
    fn index(&self, uri: &Uri) -> Option<(Loaded, Index, FileId)> {
        let build = self.build(self.documents.get(uri.as_str())?);
        let options = &build.options;
        let mut loaded = load::load(
            std::slice::from_ref(&build.input),
            &options.edited,
            options.parses.as_ref(),
        )
        .ok()?;
        let file = build.file(&loaded.sources)?;
        let index = Index::new(&mut loaded);
        Some((loaded, index, file))
    }

    /// [`Server::index`], with `position` as an empty span in the document's file.
    fn index_at(&self, uri: &Uri, position: lsp_types::Position) -> Option<(Loaded, Index, Span)> {
        let (loaded, index, file) = self.index(uri)?;
        let at = convert::offset(loaded.sources.get(file), position, self.encoding) as usize;
        Some((loaded, index, Span::new(file, at, at)))
    }

    /// Where the name at `position` is defined (in the document, an import, not the
    /// standard library, which has no file to open).
    pub(super) fn definition(&self, uri: &Uri, position: lsp_types::Position) -> Option<Location> {
        let (loaded, index, at) = self.index_at(uri, position)?;
        let Some(def) = index.definition_at(at) else {
            return self.imported_file(&loaded, at, uri);
        };
        Some(Location::new(
            self.uri_of(&loaded.sources, def.name_span.file, (at.file, uri))?,
            convert::range(&loaded.sources, def.name_span, self.encoding),
        ))
    }

    /// On the path of an `import`: the file it names, as the build read it (a module of the
    /// standard library: its file in [`Server::stdlib`]).
    fn imported_file(&self, loaded: &Loaded, at: Span, uri: &Uri) -> Option<Location> {
        let (_, tree) = loaded.files.iter().find(|(id, _)| *id == at.file)?;
        let path = tree.items.iter().find_map(|item| match &item.node {
            crate::syntax::ast::Item::Import(p)
                if p.span.start <= at.start && at.start <= p.span.end =>
            {
                Some(p.value.clone())
            }
            _ => None,
        })?;
        let start = lsp_types::Position::new(0, 0);
        if let Some(module) = crate::stdlib::module(&path) {
            let uri = convert::uri(&self.stdlib.as_ref()?.join(module.path))?;
            return Some(Location::new(uri, lsp_types::Range::new(start, start)));
        }
        let importing = &loaded.sources.get(at.file).path;
        let wanted = load::normalize(&importing.parent()?.join(path));
        let (file, _) = loaded.sources.files().find(|(_, f)| f.path == wanted)?;
        Some(Location::new(
            self.uri_of(&loaded.sources, file, (at.file, uri))?,
            lsp_types::Range::new(start, start),
        ))
    }

    /// The places of the name at `position` in the document, its definition marked as
    /// written to.
    pub(super) fn highlights(
        &self,
        uri: &Uri,
        position: lsp_types::Position,
    ) -> Vec<DocumentHighlight> {
        let Some((loaded, index, at)) = self.index_at(uri, position) else {
            return Vec::new();
        };
        index
            .occurrences_at(at)
            .into_iter()
            .filter(|(span, _)| span.file == at.file)
            .map(|(span, is_def)| DocumentHighlight {
                range: convert::range(&loaded.sources, span, self.encoding),
                kind: Some(if is_def {
                    DocumentHighlightKind::WRITE
                } else {
                    DocumentHighlightKind::READ
                }),
            })
            .collect()
    }

    /// The definitions of the open documents' builds whose names hold `query` (any case).
    pub(super) fn workspace_symbols(&self, query: &str) -> Vec<SymbolInformation> {
        let query = query.to_lowercase();
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for document in self.documents.values() {
            let Some((loaded, index, file)) = self.index(&document.uri) else {
                continue;
            };
            for def in index.all() {
                let place = (
                    loaded.sources.get(def.name_span.file).path.clone(),
                    def.name.clone(),
                );
                if !def.name.to_lowercase().contains(&query) || !seen.insert(place) {
                    continue;
                }
                let Some(uri) =
                    self.uri_of(&loaded.sources, def.name_span.file, (file, &document.uri))
                else {
                    continue;
                };
                let symbol = convert::symbol(&loaded.sources, def, self.encoding);
                #[allow(deprecated)] // `deprecated` is a field every SymbolInformation must give
                out.push(SymbolInformation {
                    name: def.name.clone(),
                    kind: symbol.kind,
                    tags: None,
                    deprecated: None,
                    location: Location::new(uri, symbol.selection_range),
                    container_name: symbol.detail,
                });
            }
        }
        out
    }

    /// The definition of the name at `position`, as written (its first lines), and the file
    /// it is in when that is another one: what a service, gateway, group or constant is,
    /// without going there.
    pub(super) fn hover(&self, uri: &Uri, position: lsp_types::Position) -> Option<Hover> {
        let (loaded, index, at) = self.index_at(uri, position)?;
        let mut parts = Vec::new();
        match index.definition_at(at) {
            Some(def) => {
                parts.push(definition_text(&loaded, def, at.file));
                parts.extend(self.objects_text(uri, &loaded.sources.location(def.span)));
            }
            // A keyword: what it does.
            None => parts.extend(
                word_at(&loaded.sources.get(at.file).text, at.start as usize)
                    .and_then(crate::keywords::explain)
                    .map(str::to_string),
            ),
        }
        // The diagnostics shown here: what their codes mean, as `egwc explain` says.
        for code in self.diagnosed_at(uri, position) {
            let info = code.info();
            parts.push(format!(
                "**{} {}**: {}\n\n{}",
                info.code, info.name, info.summary, info.explanation
            ));
        }
        if parts.is_empty() {
            return None;
        }
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: parts.join("\n\n---\n\n"),
            }),
            range: None,
        })
    }

    /// The objects the block at `source` (`file:line`) makes, by kind and name, for hover:
    /// `None` for a block that makes none (a filter group, a constant) or while the build has
    /// errors.
    fn objects_text(&self, uri: &Uri, source: &str) -> Option<String> {
        const SHOWN: usize = 12;
        let (c, _) = self.objects(uri)?;
        let made: Vec<String> = c
            .manifests
            .as_deref()
            .unwrap_or_default()
            .iter()
            .filter(|m| made_at(m, source))
            .map(|m| {
                let meta = m.metadata();
                let name = meta.name.as_deref().unwrap_or_default();
                match meta.namespace.as_deref() {
                    Some(ns) => format!("- {} `{ns}/{name}`", m.kind()),
                    None => format!("- {} `{name}`", m.kind()),
                }
            })
            .collect();
        let mut lines = match made.len() {
            0 => return None,
            1 => vec!["Makes 1 object:".to_string()],
            n => vec![format!("Makes {n} objects:")],
        };
        lines.extend(made.iter().take(SHOWN).cloned());
        if made.len() > SHOWN {
            lines.push(format!("- … and {} more", made.len() - SHOWN));
        }
        Some(lines.join("\n"))
    }

    /// The codes of the diagnostics last published for `uri` whose range holds `position`.
    fn diagnosed_at(&self, uri: &Uri, position: lsp_types::Position) -> Vec<Code> {
        let mut codes: Vec<Code> = self
            .diagnosed
            .get(uri.as_str())
            .into_iter()
            .flatten()
            .filter(|(range, _)| range.start <= position && position <= range.end)
            .map(|(_, code)| *code)
            .collect();
        codes.dedup();
        codes
    }

    /// Where the name at `position` is written across its build, each with whether it is
    /// the definition. Places in the standard library, which has no file, are left out.
    pub(super) fn occurrences(
        &self,
        uri: &Uri,
        position: lsp_types::Position,
    ) -> Vec<(Location, bool)> {
        let Some((loaded, index, at)) = self.index_at(uri, position) else {
            return Vec::new();
        };
        index
            .occurrences_at(at)
            .into_iter()
            .filter_map(|(span, is_def)| {
                let uri = self.uri_of(&loaded.sources, span.file, (at.file, uri))?;
                let range = convert::range(&loaded.sources, span, self.encoding);
                Some((Location::new(uri, range), is_def))
            })
            .collect()
    }

    /// Renames the name at `position` where it is defined and wherever it is used.
    pub(super) fn rename(
        &self,
        uri: &Uri,
        position: lsp_types::Position,
        new_name: &str,
    ) -> std::result::Result<Option<WorkspaceEdit>, String> {
        let Some((loaded, index, at)) = self.index_at(uri, position) else {
            return Ok(None);
        };
        if let Some(def) = index.definition_at(at) {
            refuse(&index, def, new_name)?;
        }
        let mut by_file: BTreeMap<String, (Uri, Vec<OneOf<TextEdit, AnnotatedTextEdit>>)> =
            BTreeMap::new();
        let occurrences = index.occurrences_at(at);
        if in_stdlib(&loaded, &occurrences) {
            return Err(IN_STDLIB.into());
        }
        for (span, _) in occurrences {
            let Some(uri) = self.uri_of(&loaded.sources, span.file, (at.file, uri)) else {
                continue;
            };
            let range = convert::range(&loaded.sources, span, self.encoding);
            let edit = OneOf::Left(TextEdit::new(range, new_name.to_string()));
            let (_, edits) = by_file
                .entry(uri.as_str().to_string())
                .or_insert_with(|| (uri, Vec::new()));
            edits.push(edit);
        }
        if by_file.is_empty() {
            return Ok(None);
        }
        let changes = by_file
            .into_values()
            .map(|(uri, edits)| TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
                edits,
            })
            .collect();
        Ok(Some(WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(changes)),
            ..WorkspaceEdit::default()
        }))
    }

    /// What may be written at `position`. The names are those of the document's build; while
    /// the document does not parse, its own are those of its blocks that do, and those it had
    /// when it last parsed.
    pub(super) fn complete(
        &mut self,
        uri: &Uri,
        position: lsp_types::Position,
    ) -> Vec<CompletionItem> {
        let Some((loaded, index, file)) = self.index(uri) else {
            return Vec::new();
        };
        let parsed = !loaded
            .diags
            .iter()
            .any(|d| d.code == Code::SyntaxError && d.primary_span().file == file);
        let Some(document) = self.documents.get_mut(uri.as_str()) else {
            return Vec::new();
        };
        let mut names: Vec<(index::Kind, String)> = Vec::new();
        let mut own = Vec::new();
        for (kind, name, in_file) in index.names() {
            if in_file == file {
                own.push((kind, name.to_string()));
            } else {
                names.push((kind, name.to_string()));
            }
        }
        if parsed {
            document.names = own;
            names.extend(document.names.iter().cloned());
        } else {
            // The blocks that still parse, and the names of the last parse that are gone
            // with the block being typed.
            for n in document.names.iter().cloned() {
                if !own.contains(&n) {
                    own.push(n);
                }
            }
            names.extend(own);
        }
        let source = loaded.sources.get(file);
        let at = convert::offset(source, position, self.encoding) as usize;
        crate::complete::at(&source.text, at, &names)
            .into_iter()
            .filter(|c| self.snippets || !matches!(c.what, crate::complete::What::Snippet(_)))
            .map(convert::completion)
            .collect()
    }

    /// The outline of the document: its definitions, a gateway's listeners under it.
    pub(super) fn symbols(&self, uri: &Uri) -> Vec<DocumentSymbol> {
        let Some((loaded, index, file)) = self.index(uri) else {
            return Vec::new();
        };
        let symbol = |def: &index::Def| convert::symbol(&loaded.sources, def, self.encoding);
        index
            .defs
            .iter()
            .filter(|d| d.name_span.file == file)
            .map(|d| DocumentSymbol {
                children: Some(d.children.iter().map(symbol).collect()),
                ..symbol(d)
            })
            .collect()
    }

    /// One edit that replaces the document by its formatted text; none when it is formatted
    /// already, or does not parse (its syntax errors are already shown).
    pub(super) fn format(&self, uri: &Uri) -> Vec<TextEdit> {
        let Some(Document { text, .. }) = self.documents.get(uri.as_str()) else {
            return Vec::new();
        };
        match crate::syntax::format(FileId(0), text) {
            Ok(formatted) if formatted != *text => vec![TextEdit::new(
                convert::whole(text, self.encoding),
                formatted,
            )],
            _ => Vec::new(),
        }
    }

    /// The objects the document's build makes, with the `egwc/source` of each: `None` while
    /// the build has errors.
    fn objects(&self, uri: &Uri) -> Option<(crate::Compilation, FileId)> {
        let document = self.documents.get(uri.as_str())?;
        let build = self.build(document);
        let c = crate::compile(std::slice::from_ref(&build.input), &build.options).ok()?;
        let file = build.file(&c.sources)?;
        c.manifests.is_some().then_some((c, file))
    }

    /// A lens on each gateway, service and route of the document: "N objects", which opens
    /// them (the client's `egwc.preview` command, with the document and the block's
    /// `egwc/source`).
    pub(super) fn code_lenses(&self, uri: &Uri) -> Vec<CodeLens> {
        let Some((c, file)) = self.objects(uri) else {
            return Vec::new();
        };
        let Some((loaded, index, _)) = self.index(uri) else {
            return Vec::new();
        };
        let manifests = c.manifests.as_deref().unwrap_or_default();
        index
            .defs
            .iter()
            .filter(|d| d.name_span.file == file)
            .filter(|d| {
                matches!(
                    d.kind,
                    index::Kind::Gateway | index::Kind::Service | index::Kind::Route
                )
            })
            .filter_map(|d| {
                let source = loaded.sources.location(d.span);
                let count = manifests.iter().filter(|m| made_at(m, &source)).count();
                let title = match count {
                    0 => return None,
                    1 => "1 object".to_string(),
                    n => format!("{n} objects"),
                };
                Some(CodeLens {
                    range: convert::range(&loaded.sources, d.name_span, self.encoding),
                    command: Some(Command {
                        title,
                        command: "egwc.preview".to_string(),
                        arguments: Some(vec![
                            serde_json::json!(uri.as_str()),
                            serde_json::json!(source),
                        ]),
                    }),
                    data: None,
                })
            })
            .collect()
    }

    /// `egwc/preview`: the YAML of the objects a block makes (its `egwc/source`), or of the
    /// whole build; a message while the build has errors.
    pub(super) fn preview(&self, uri: &Uri, source: Option<&str>) -> String {
        let Some((c, _)) = self.objects(uri) else {
            return "# The build has errors: `egwc check` shows them.\n".to_string();
        };
        let manifests = c.manifests.as_deref().unwrap_or_default();
        let chosen: Vec<crate::emit::Manifest> = manifests
            .iter()
            .filter(|m| source.is_none_or(|s| made_at(m, s)))
            .cloned()
            .collect();
        crate::emit::to_stream(&chosen, crate::emit::Format::Yaml)
    }

    /// The names of the document, each as the kind of thing it names (a definition's own
    /// name also `declaration`), in the legend of [`super::semantic_legend`].
    pub(super) fn semantic_tokens(&self, uri: &Uri) -> Vec<SemanticToken> {
        let Some((loaded, index, file)) = self.index(uri) else {
            return Vec::new();
        };
        let kind_index =
            |k: index::Kind| super::TOKEN_KINDS.iter().position(|(kind, _)| *kind == k);
        let mut spans: Vec<(Span, u32, u32)> = Vec::new();
        for def in index.all().filter(|d| d.name_span.file == file) {
            if let Some(t) = kind_index(def.kind) {
                spans.push((def.name_span, t as u32, 1));
            }
        }
        for r in index.refs.iter().filter(|r| r.span.file == file) {
            if let Some(t) = kind_index(r.kind) {
                spans.push((r.span, t as u32, 0));
            }
        }
        spans.sort_by_key(|(span, _, _)| (span.start, span.end));
        let source = loaded.sources.get(file);
        let mut out = Vec::new();
        let (mut line, mut character, mut end) = (0, 0, 0);
        for (span, token_type, modifiers) in spans {
            // Overlapping places (a listener's `gateway.listener`) keep the first.
            if span.start < end {
                continue;
            }
            end = span.end;
            let start = convert::position(source, span.start, self.encoding);
            let stop = convert::position(source, span.end, self.encoding);
            if stop.line != start.line {
                continue;
            }
            let delta_line = start.line - line;
            let delta_start = if delta_line == 0 {
                start.character - character
            } else {
                start.character
            };
            out.push(SemanticToken {
                delta_line,
                delta_start,
                length: stop.character - start.character,
                token_type,
                token_modifiers_bitset: modifiers,
            });
            (line, character) = (start.line, start.character);
        }
        out
    }

    /// For each position, the ranges an editor grows a selection through: the word, the
    /// line's text, then each block around it, innermost first.
    pub(super) fn selection_ranges(
        &self,
        uri: &Uri,
        positions: &[lsp_types::Position],
    ) -> Vec<SelectionRange> {
        let Some(document) = self.documents.get(uri.as_str()) else {
            return Vec::new();
        };
        let text = &document.text;
        let mut map = crate::source::SourceMap::default();
        let id = map.add(
            String::new(),
            String::new(),
            Default::default(),
            text.as_str().into(),
        );
        let file = map.get(id);
        let blocks = crate::syntax::block_ranges(text);
        let range = |start: usize, end: usize| {
            lsp_types::Range::new(
                convert::position(file, start as u32, self.encoding),
                convert::position(file, end as u32, self.encoding),
            )
        };
        positions
            .iter()
            .map(|&p| {
                let at = convert::offset(file, p, self.encoding) as usize;
                let mut spans: Vec<(usize, usize)> = Vec::new();
                if let Some(word) = word_span(text, at) {
                    spans.push(word);
                }
                let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
                let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
                let line = &text[line_start..line_end];
                let indent = line.len() - line.trim_start().len();
                spans.push((line_start + indent, line_start + line.trim_end().len()));
                let mut around: Vec<(usize, usize)> = blocks
                    .iter()
                    .filter(|(open, close)| *open <= at && at <= *close)
                    .map(|&(open, close)| {
                        // From the start of the line that opens the block.
                        let start = text[..open].rfind('\n').map_or(0, |i| i + 1);
                        let start = start + text[start..].len() - text[start..].trim_start().len();
                        (start, close + 1)
                    })
                    .collect();
                around.sort_by_key(|(start, end)| std::cmp::Reverse(end - start));
                spans.extend(around.into_iter().rev());
                spans.push((0, text.len()));
                spans.dedup();
                spans
                    .iter()
                    .rev()
                    .fold(None, |parent: Option<SelectionRange>, &(start, end)| {
                        Some(SelectionRange {
                            range: range(start, end),
                            parent: parent.map(Box::new),
                        })
                    })
                    .unwrap_or(SelectionRange {
                        range: range(at, at),
                        parent: None,
                    })
            })
            .collect()
    }

    /// The document's blocks that span several lines, to fold.
    pub(super) fn folding_ranges(&self, uri: &Uri) -> Vec<FoldingRange> {
        let Some(document) = self.documents.get(uri.as_str()) else {
            return Vec::new();
        };
        let text = &document.text;
        let line = |at: usize| text[..at].matches('\n').count() as u32;
        crate::syntax::block_ranges(text)
            .into_iter()
            .map(|(open, close)| (line(open), line(close)))
            .filter(|(start, end)| end > start)
            .map(|(start_line, end_line)| FoldingRange {
                start_line,
                // The closing brace stays visible.
                end_line: end_line - 1,
                kind: Some(FoldingRangeKind::Region),
                ..FoldingRange::default()
            })
            .filter(|r| r.end_line > r.start_line)
            .collect()
    }

    /// What egwc derives, as inlay hints in `range` of the document: targets, balanced
    /// services' objects and ports, backends' shares ([`crate::hints`]). None while the
    /// build has errors.
    pub(super) fn inlay_hints(&self, uri: &Uri, range: lsp_types::Range) -> Vec<InlayHint> {
        let Some(document) = self.documents.get(uri.as_str()) else {
            return Vec::new();
        };
        let build = self.build(document);
        let Ok((loaded, Some(model))) =
            crate::analyze_trees(std::slice::from_ref(&build.input), &build.options)
        else {
            return Vec::new();
        };
        let Some(file) = build.file(&loaded.sources) else {
            return Vec::new();
        };
        let Some((_, tree)) = loaded.files.iter().find(|(id, _)| *id == file) else {
            return Vec::new();
        };
        let source = loaded.sources.get(file);
        crate::hints::hints(tree, file, &model)
            .into_iter()
            .map(|h| InlayHint {
                position: convert::position(source, h.after.end, self.encoding),
                label: InlayHintLabel::String(h.label),
                kind: Some(InlayHintKind::TYPE),
                text_edits: None,
                tooltip: None,
                padding_left: Some(true),
                padding_right: None,
                data: None,
            })
            .filter(|h| range.start <= h.position && h.position <= range.end)
            .collect()
    }

    /// The name at `position`, if it can be renamed there: a name of the build, defined in
    /// a file (not the standard library).
    pub(super) fn prepare_rename(
        &self,
        uri: &Uri,
        position: lsp_types::Position,
    ) -> std::result::Result<Option<PrepareRenameResponse>, String> {
        let Some((loaded, index, at)) = self.index_at(uri, position) else {
            return Ok(None);
        };
        let occurrences = index.occurrences_at(at);
        if in_stdlib(&loaded, &occurrences) {
            return Err(IN_STDLIB.into());
        }
        let here = occurrences.iter().find(|(span, _)| {
            span.file == at.file && span.start <= at.start && at.start <= span.end
        });
        Ok(here.map(|(span, _)| {
            PrepareRenameResponse::Range(convert::range(&loaded.sources, *span, self.encoding))
        }))
    }
}

const IN_STDLIB: &str = "it is defined in the standard library, which cannot change";

/// Whether a name occurs in the standard library, so cannot be renamed.
fn in_stdlib(loaded: &Loaded, occurrences: &[(Span, bool)]) -> bool {
    occurrences.iter().any(|(span, _)| {
        crate::stdlib::of_source_path(&loaded.sources.get(span.file).path).is_some()
    })
}

/// Why `new_name` cannot replace the name of `def`, if it cannot: it is no name, the checker
/// would refuse it as a Kubernetes name (E0105), or another definition of that kind has it
/// (E0103).
fn refuse(index: &Index, def: &index::Def, new_name: &str) -> std::result::Result<(), String> {
    use index::Kind;
    if !crate::syntax::is_name(new_name) {
        return Err(format!(
            "`{new_name}` is not a name: a letter or `_`, then letters, digits, `_` and `-`"
        ));
    }
    if matches!(
        def.kind,
        Kind::Service | Kind::Gateway | Kind::Listener | Kind::Route
    ) && let Err(reason) = crate::check::validate::dns1035_label(new_name)
    {
        return Err(format!(
            "`{new_name}` is not a valid Kubernetes name ({reason}): names become object names \
(E0105)"
        ));
    }
    // A listener's name in the index is `gateway.listener`.
    let full = match def.name.rsplit_once('.') {
        Some((gateway, _)) if def.kind == Kind::Listener => format!("{gateway}.{new_name}"),
        _ => new_name.to_string(),
    };
    if full != def.name && index.all().any(|d| d.kind == def.kind && d.name == full) {
        let what = format!("{:?}", def.kind).to_lowercase();
        return Err(format!(
            "a {what} `{new_name}` exists already: names are unique (E0103)"
        ));
    }
    Ok(())
}

/// A definition as written (its first lines), and the file it is in when that is another
/// one: what a service, gateway, group or constant is, without going there.
fn definition_text(loaded: &Loaded, def: &index::Def, here: FileId) -> String {
    const LINES: usize = 12;
    let text = loaded.sources.text(def.span);
    let mut shown: Vec<&str> = text.lines().take(LINES).collect();
    if text.lines().count() > LINES {
        shown.push("…");
    }
    let mut value = format!("```egw\n{}\n```", shown.join("\n"));
    if def.span.file != here {
        value.push_str(&format!(
            "\n\nin `{}`",
            loaded.sources.get(def.span.file).name
        ));
    }
    value
}

/// The byte range of the word (letters, digits, `_`, `-`) around byte `at`, if any.
fn word_span(text: &str, at: usize) -> Option<(usize, usize)> {
    let at = at.min(text.len());
    let is_word = |c: char| crate::syntax::is_word_char(c);
    let start = at
        - text[..at]
            .chars()
            .rev()
            .take_while(|&c| is_word(c))
            .map(char::len_utf8)
            .sum::<usize>();
    let end = at
        + text[at..]
            .chars()
            .take_while(|&c| is_word(c))
            .map(char::len_utf8)
            .sum::<usize>();
    (end > start).then_some((start, end))
}

/// The word (letters, digits, `_`, `-`) around byte `at` of `text`, if the position is in
/// code: not in a string or a comment of its line.
fn word_at(text: &str, at: usize) -> Option<&str> {
    let at = at.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..at];
    // An odd number of quotes before (escapes aside), or `//`: not code.
    let quotes = before.matches('"').count() - before.matches("\\\"").count();
    if quotes % 2 == 1 || before.contains("//") {
        return None;
    }
    word_span(text, at).map(|(start, end)| &text[start..end])
}

/// Whether an object was made by the block at `source` (`main.egw:12`).
fn made_at(m: &crate::emit::Manifest, source: &str) -> bool {
    m.metadata()
        .annotations
        .as_ref()
        .and_then(|a| a.get(crate::emit::SOURCE_ANNOTATION))
        .is_some_and(|s| s == source)
}
