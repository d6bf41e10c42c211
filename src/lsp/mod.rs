//! `egwc lsp`: a language server on standard input and output, on `lsp-server` and
//! `lsp-types` (the synchronous pair rust-analyzer and ruff use). It keeps the text of the
//! open documents, checks a document each time it changes, as `egwc check` would check it
//! saved, and publishes the diagnostics of every file that check read (its imports too). It
//! formats a document as `egwc fmt` does, finds definitions, hover text, references, renames
//! and the outline from [`crate::index`], and completes from [`crate::complete`].
//!
//! A document is checked in the build of the file that imports it ([`load::root_importing`],
//! found when it is opened and on each save), so that the names a split configuration
//! defines in other files are known. Every open document is read as the editor holds it
//! (`Options::edited`), saved or not.

mod convert;

use std::collections::BTreeMap;
use std::error::Error;
use std::path::PathBuf;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    References, Rename, Request as _,
};
use lsp_types::{
    AnnotatedTextEdit, CodeActionOrCommand, CodeActionProviderCapability, CompletionItem,
    CompletionOptions, CompletionResponse, DocumentChanges, DocumentSymbol, DocumentSymbolResponse,
    GotoDefinitionResponse, Hover, HoverContents, HoverProviderCapability, InitializeParams,
    InitializeResult, Location, MarkupContent, MarkupKind, OneOf,
    OptionalVersionedTextDocumentIdentifier, PublishDiagnosticsParams, ServerCapabilities,
    ServerInfo, TextDocumentEdit, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextEdit, Uri, WorkspaceEdit,
};

use crate::diagnostics::Code;
use crate::index::{self, Index};
use crate::load::{self, Input, Loaded};
use crate::source::{FileId, SourceMap, Span};
use convert::Encoding;

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// Serves one client on standard input and output until it says `exit`.
pub fn run() -> Result<()> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection)?;
    // The writer thread ends only once every sender is gone.
    drop(connection);
    io_threads.join()?;
    Ok(())
}

/// The protocol on one connection: the handshake, then the main loop.
pub fn serve(connection: &Connection) -> Result<()> {
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params)?;
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_deref());
    let encoding = Encoding::choose(offered);
    let result = InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(encoding.kind()),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::FULL),
                    save: Some(lsp_types::TextDocumentSyncSaveOptions::Supported(true)),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            document_formatting_provider: Some(OneOf::Left(true)),
            definition_provider: Some(OneOf::Left(true)),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            references_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Left(true)),
            code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec![".".to_string(), "{".to_string()]),
                ..CompletionOptions::default()
            }),
            document_symbol_provider: Some(OneOf::Left(true)),
            ..ServerCapabilities::default()
        },
        server_info: Some(ServerInfo {
            name: "egwc".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;
    let workspace = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| convert::path(&f.uri))
        .collect();
    let mut server = Server {
        encoding,
        workspace,
        documents: BTreeMap::new(),
        published: BTreeMap::new(),
    };
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    return Ok(());
                }
                let response = server.request(request);
                connection.sender.send(Message::Response(response))?;
            }
            Message::Notification(notification) => {
                let method = notification.method.clone();
                // A notification cannot be answered: one the server cannot read is logged
                // (editors show a server's standard error) and the session goes on.
                let publishes = server.notification(notification).unwrap_or_else(|e| {
                    let _ = std::io::Write::write_all(
                        &mut std::io::stderr(),
                        format!("egwc lsp: ignored `{method}`: {e}\n").as_bytes(),
                    );
                    Vec::new()
                });
                for publish in publishes {
                    let params = serde_json::to_value(publish)?;
                    let note = Notification::new(PublishDiagnostics::METHOD.to_string(), params);
                    connection.sender.send(Message::Notification(note))?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// Maps are keyed by a URI's text: `Uri` caches parts of itself, so it is no key.
struct Server {
    encoding: Encoding,
    /// The editor's workspace folders: importers are not looked for above them.
    workspace: Vec<PathBuf>,
    /// The open documents' text.
    documents: BTreeMap<String, Document>,
    /// For each open document, the files its last check published diagnostics for, so that a
    /// file it no longer reports on is cleared.
    published: BTreeMap<String, BTreeMap<String, Uri>>,
}

struct Document {
    uri: Uri,
    text: String,
    /// The file, for a `file:` URI; an untitled buffer has none.
    path: Option<PathBuf>,
    /// The file whose build takes this one in (it imports it, maybe through others), found
    /// when the document is opened or a file is saved; `None` when no file imports it.
    root: Option<PathBuf>,
    /// The names it defined when it last parsed, for completion while it does not.
    names: Vec<(index::Kind, String)>,
}

/// What a document is checked in: the build of its root, with every open document's text.
struct Build {
    input: Input,
    options: crate::Options,
    /// The document's own file in that build, once loaded: by path, or the only file read
    /// from an untitled buffer.
    path: Option<PathBuf>,
}

impl Build {
    fn file(&self, sources: &SourceMap) -> Option<FileId> {
        match &self.path {
            Some(path) => sources
                .files()
                .find(|(_, f)| f.path == *path)
                .map(|(id, _)| id),
            None => Some(FileId(0)),
        }
    }
}

impl Server {
    fn request(&mut self, request: Request) -> Response {
        match request.method.as_str() {
            Formatting::METHOD => {
                answer::<Formatting>(request, |p| Ok(Some(self.format(&p.text_document.uri))))
            }
            GotoDefinition::METHOD => answer::<GotoDefinition>(request, |p| {
                let at = p.text_document_position_params;
                let found = self.definition(&at.text_document.uri, at.position);
                Ok(found.map(GotoDefinitionResponse::Scalar))
            }),
            HoverRequest::METHOD => answer::<HoverRequest>(request, |p| {
                let at = p.text_document_position_params;
                Ok(self.hover(&at.text_document.uri, at.position))
            }),
            References::METHOD => answer::<References>(request, |p| {
                let at = p.text_document_position;
                let all = self.occurrences(&at.text_document.uri, at.position);
                let declaration = p.context.include_declaration;
                let found = all.into_iter().filter(|(_, is_def)| declaration || !is_def);
                Ok(Some(found.map(|(location, _)| location).collect()))
            }),
            Rename::METHOD => answer::<Rename>(request, |p| {
                let at = p.text_document_position;
                self.rename(&at.text_document.uri, at.position, &p.new_name)
            }),
            CodeActionRequest::METHOD => answer::<CodeActionRequest>(request, |p| {
                let uri = p.text_document.uri;
                let fixes = p.context.diagnostics.iter();
                let actions = fixes.filter_map(|d| convert::quick_fix(&uri, d));
                Ok(Some(actions.map(CodeActionOrCommand::CodeAction).collect()))
            }),
            Completion::METHOD => answer::<Completion>(request, |p| {
                let at = p.text_document_position;
                let items = self.complete(&at.text_document.uri, at.position);
                Ok(Some(CompletionResponse::Array(items)))
            }),
            DocumentSymbolRequest::METHOD => answer::<DocumentSymbolRequest>(request, |p| {
                let symbols = self.symbols(&p.text_document.uri);
                Ok(Some(DocumentSymbolResponse::Nested(symbols)))
            }),
            _ => Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("egwc does not answer `{}`", request.method),
            ),
        }
    }

    /// Files as the editor holds them: every open document that is a file.
    fn edited(&self) -> load::Edited {
        self.documents
            .values()
            .filter_map(|d| Some((d.path.clone()?, d.text.clone())))
            .collect()
    }

    /// The build a document is checked in: its root's, with the open documents' text.
    fn build(&self, document: &Document) -> Build {
        let options = crate::Options {
            edited: self.edited(),
            ..crate::Options::default()
        };
        match &document.path {
            Some(path) => Build {
                input: Input::Path(document.root.clone().unwrap_or_else(|| path.clone())),
                options,
                path: Some(path.clone()),
            },
            // Untitled: read as standard input is, importing from the working directory.
            None => Build {
                input: Input::Stdin(document.text.clone().into_bytes()),
                options,
                path: None,
            },
        }
    }

    /// Finds again which file's build takes in each open document (all of them: a save may
    /// change what imports what), or in the one of `key` (a document just opened).
    fn find_roots(&mut self, key: Option<&str>) {
        let edited = self.edited();
        for (k, document) in &mut self.documents {
            let Some(path) = document.path.as_deref() else {
                continue;
            };
            if key.is_some_and(|key| key != k) {
                continue;
            }
            let within = self.workspace.iter().find(|w| path.starts_with(w));
            document.root = load::root_importing(path, &edited, within.map(PathBuf::as_path));
        }
    }

    /// The URI a file of a build is shown under: an open document's own, else its path's.
    fn uri_of(&self, sources: &SourceMap, file: FileId) -> Option<Uri> {
        let path = &sources.get(file).path;
        match self
            .documents
            .values()
            .find(|d| d.path.as_ref() == Some(path))
        {
            Some(d) => Some(d.uri.clone()),
            None => convert::uri(path),
        }
    }

    /// The document's build, parsed (not checked), with its index of names and the
    /// document's file in it.
    fn index(&self, uri: &Uri) -> Option<(Loaded, Index, FileId)> {
        let build = self.build(self.documents.get(uri.as_str())?);
        let mut loaded =
            load::load(std::slice::from_ref(&build.input), &build.options.edited).ok()?;
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
    fn definition(&self, uri: &Uri, position: lsp_types::Position) -> Option<Location> {
        let (loaded, index, at) = self.index_at(uri, position)?;
        let def = index.definition_at(at)?;
        Some(Location::new(
            self.uri_of(&loaded.sources, def.name_span.file)?,
            convert::range(&loaded.sources, def.name_span, self.encoding),
        ))
    }

    /// The definition of the name at `position`, as written (its first lines), and the file
    /// it is in when that is another one: what a service, gateway, group or constant is,
    /// without going there.
    fn hover(&self, uri: &Uri, position: lsp_types::Position) -> Option<Hover> {
        const LINES: usize = 12;
        let (loaded, index, at) = self.index_at(uri, position)?;
        let def = index.definition_at(at)?;
        let text = loaded.sources.text(def.span);
        let mut shown: Vec<&str> = text.lines().take(LINES).collect();
        if text.lines().count() > LINES {
            shown.push("…");
        }
        let mut value = format!("```egw\n{}\n```", shown.join("\n"));
        if def.span.file != at.file {
            value.push_str(&format!(
                "\n\nin `{}`",
                loaded.sources.get(def.span.file).name
            ));
        }
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            }),
            range: None,
        })
    }

    /// Where the name at `position` is written across its build, each with whether it is
    /// the definition. Places in the standard library, which has no file, are left out.
    fn occurrences(&self, uri: &Uri, position: lsp_types::Position) -> Vec<(Location, bool)> {
        let Some((loaded, index, at)) = self.index_at(uri, position) else {
            return Vec::new();
        };
        index
            .occurrences_at(at)
            .into_iter()
            .filter_map(|(span, is_def)| {
                let uri = self.uri_of(&loaded.sources, span.file)?;
                let range = convert::range(&loaded.sources, span, self.encoding);
                Some((Location::new(uri, range), is_def))
            })
            .collect()
    }

    /// Renames the name at `position` where it is defined and wherever it is used.
    fn rename(
        &self,
        uri: &Uri,
        position: lsp_types::Position,
        new_name: &str,
    ) -> std::result::Result<Option<WorkspaceEdit>, String> {
        if !crate::syntax::is_name(new_name) {
            return Err(format!(
                "`{new_name}` is not a name: a letter or `_`, then letters, digits, `_` and `-`"
            ));
        }
        let Some((loaded, index, at)) = self.index_at(uri, position) else {
            return Ok(None);
        };
        let mut by_file: BTreeMap<String, (Uri, Vec<OneOf<TextEdit, AnnotatedTextEdit>>)> =
            BTreeMap::new();
        for (span, _) in index.occurrences_at(at) {
            let Some(uri) = self.uri_of(&loaded.sources, span.file) else {
                return Err("it is defined in the standard library, which cannot change".into());
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
    /// the document does not parse, its own are those it had when it last did.
    fn complete(&mut self, uri: &Uri, position: lsp_types::Position) -> Vec<CompletionItem> {
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
        }
        names.extend(document.names.iter().cloned());
        let source = loaded.sources.get(file);
        let at = convert::offset(source, position, self.encoding) as usize;
        crate::complete::at(&source.text, at, &names)
            .into_iter()
            .map(convert::completion)
            .collect()
    }

    /// The outline of the document: its definitions, a gateway's listeners under it.
    fn symbols(&self, uri: &Uri) -> Vec<DocumentSymbol> {
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
    fn format(&self, uri: &Uri) -> Vec<TextEdit> {
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

    /// Keeps the documents' text; returns the diagnostics to publish.
    fn notification(&mut self, n: Notification) -> Result<Vec<PublishDiagnosticsParams>> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let p: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(n.params)?;
                let uri = p.text_document.uri;
                let key = uri.as_str().to_string();
                let document = Document {
                    path: convert::path(&uri),
                    uri,
                    text: p.text_document.text,
                    root: None,
                    names: Vec::new(),
                };
                self.documents.insert(key.clone(), document);
                self.find_roots(Some(&key));
                Ok(self.check(&key))
            }
            DidChangeTextDocument::METHOD => {
                let p: lsp_types::DidChangeTextDocumentParams = serde_json::from_value(n.params)?;
                let key = p.text_document.uri.as_str().to_string();
                // Full sync: the last change holds the whole text.
                if let Some(change) = p.content_changes.into_iter().last()
                    && let Some(document) = self.documents.get_mut(&key)
                {
                    document.text = change.text;
                }
                Ok(self.check(&key))
            }
            DidSaveTextDocument::METHOD => {
                // A saved file may import, or be imported by, any open document.
                self.find_roots(None);
                let open: Vec<String> = self.documents.keys().cloned().collect();
                Ok(open.iter().flat_map(|key| self.check(key)).collect())
            }
            DidCloseTextDocument::METHOD => {
                let p: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(n.params)?;
                let key = p.text_document.uri.as_str();
                self.documents.remove(key);
                let cleared = self.published.remove(key).unwrap_or_default();
                Ok(cleared.into_values().map(empty).collect())
            }
            _ => Ok(Vec::new()),
        }
    }

    /// Checks a document in its build: the diagnostics of every file the build read, and
    /// an empty list for each file it reported on last time and not now.
    fn check(&mut self, key: &str) -> Vec<PublishDiagnosticsParams> {
        let Some(document) = self.documents.get(key) else {
            return Vec::new();
        };
        let build = self.build(document);
        let Ok(c) = crate::analyze(&[build.input], &build.options) else {
            return Vec::new(); // the root is gone since it was found; a save finds it again
        };
        let mut by_file: BTreeMap<String, (Uri, Vec<lsp_types::Diagnostic>)> = BTreeMap::new();
        for (id, _) in c.sources.files() {
            if let Some(u) = self.uri_of(&c.sources, id) {
                by_file.insert(u.as_str().to_string(), (u, Vec::new()));
            }
        }
        let uri_of = |span: Span| self.uri_of(&c.sources, span.file);
        for d in &c.diagnostics {
            if let Some(u) = uri_of(d.primary_span())
                && let Some((_, list)) = by_file.get_mut(u.as_str())
            {
                list.push(convert::diagnostic(&c.sources, d, self.encoding, &uri_of));
            }
        }
        let now: BTreeMap<String, Uri> = by_file
            .iter()
            .map(|(k, (u, _))| (k.clone(), u.clone()))
            .collect();
        let before = self
            .published
            .insert(key.to_string(), now)
            .unwrap_or_default();
        let mut out: Vec<PublishDiagnosticsParams> = Vec::new();
        for (k, u) in before {
            if !by_file.contains_key(&k) {
                out.push(empty(u));
            }
        }
        out.extend(
            by_file
                .into_values()
                .map(|(u, diagnostics)| PublishDiagnosticsParams::new(u, diagnostics, None)),
        );
        out
    }
}

/// Answers a request of type `R` with `f` of its parameters. Parameters that are not `R`'s
/// get the protocol's error; a request `f` refuses gets its reason, which editors show.
fn answer<R: lsp_types::request::Request>(
    request: Request,
    f: impl FnOnce(R::Params) -> std::result::Result<R::Result, String>,
) -> Response {
    let id = request.id.clone();
    match request.extract::<R::Params>(R::METHOD) {
        Ok((id, params)) => match f(params) {
            Ok(result) => Response::new_ok(id, result),
            Err(reason) => Response::new_err(id, ErrorCode::RequestFailed as i32, reason),
        },
        Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, format!("{e:?}")),
    }
}

fn empty(uri: Uri) -> PublishDiagnosticsParams {
    PublishDiagnosticsParams::new(uri, Vec::new(), None)
}
