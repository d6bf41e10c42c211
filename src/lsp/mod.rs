//! `egwc lsp`: a language server on standard input and output, on `lsp-server` and
//! `lsp-types` (the synchronous pair rust-analyzer and ruff use). It keeps the text of the
//! open documents, checks them as `egwc check` would check them saved, and publishes the
//! diagnostics of every file a check read (its imports too), with the document's version.
//! It formats a document as `egwc fmt` does, finds definitions, hover text, references,
//! renames and the outline from [`crate::index`], and completes from [`crate::complete`].
//!
//! A document is checked in the build of the file that imports it ([`load::root_importing`],
//! found when it is opened, on each save and when a watched `.egw` file changes on disk), so
//! that the names a split configuration defines in other files are known. Every open
//! document is read as the editor holds it (`Options::edited`), saved or not. The project
//! configuration (`egwc.toml`) applies as it does on the command line, under the client's
//! initialization options (`{"target": …, "allow": [...]}`, as the flags).
//!
//! Messages are taken in batches: everything the client sent while the server was busy is
//! read first, so a burst of edits is checked once. A batch's notifications are handled,
//! then the checks they ask for, then its requests, against the text as it then is; a
//! request cancelled in its batch or during those checks is answered as cancelled without
//! being worked out.

mod check;
mod convert;
mod navigate;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::error::Error;
use std::path::{Path, PathBuf};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    Cancel, DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument,
    DidOpenTextDocument, DidSaveTextDocument, Exit, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, CodeLensRequest, Completion, DocumentHighlightRequest,
    DocumentSymbolRequest, FoldingRangeRequest, Formatting, GotoDefinition, HoverRequest,
    InlayHintRequest, PrepareRenameRequest, References, RegisterCapability, Rename, Request as _,
    SelectionRangeRequest, SemanticTokensFullRequest, Shutdown, WorkspaceSymbolRequest,
};
use lsp_types::{
    CodeActionOrCommand, CodeActionProviderCapability, CompletionOptions, CompletionResponse,
    DidChangeWatchedFilesRegistrationOptions, DocumentSymbolResponse, FileSystemWatcher,
    GlobPattern, GotoDefinitionResponse, HoverProviderCapability, InitializeParams,
    InitializeResult, NumberOrString, OneOf, Registration, RegistrationParams, RenameOptions,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, Uri, WorkDoneProgressOptions,
};

use crate::index;
use crate::load::{self, Input};
use crate::source::{FileId, SourceMap};
use convert::Encoding;

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// Serves one client on standard input and output until it says `exit`. `Ok(true)` when it
/// asked to shut down first, as the protocol wants before `exit` (the exit code is then 0,
/// else 1).
/// `stdlib` is a directory holding the standard library's modules as files (`std/….egw`),
/// which go to definition opens; without it, the standard library has nothing to open.
pub fn run(stdlib: Option<&Path>) -> Result<bool> {
    let (connection, io_threads) = Connection::stdio();
    let clean = serve(&connection, stdlib)?;
    // The writer thread ends only once every sender is gone.
    drop(connection);
    io_threads.join()?;
    Ok(clean)
}

/// The settings a client may give in `initializationOptions`: those of the command line.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
struct Settings {
    target: Option<String>,
    allow: Vec<String>,
}

impl Settings {
    /// As options; a setting that is not valid is left out, with the reason on standard
    /// error (which editors show as the server's log).
    fn options(self) -> crate::Options {
        let log = |e: String| log(&format!("initializationOptions: {e}"));
        crate::Options {
            target: self.target.and_then(|t| t.parse().map_err(log).ok()),
            allow: self
                .allow
                .iter()
                .filter_map(|a| a.parse().map_err(log).ok())
                .collect(),
            ..crate::Options::default()
        }
    }
}

fn log(message: &str) {
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("egwc lsp: {message}\n").as_bytes(),
    );
}

/// The protocol on one connection: the handshake, then the main loop. `Ok(true)` when the
/// client shut the server down before `exit`.
pub fn serve(connection: &Connection, stdlib: Option<&Path>) -> Result<bool> {
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params)?;
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_deref());
    let encoding = Encoding::choose(offered);
    let snippets = params
        .capabilities
        .text_document
        .as_ref()
        .and_then(|t| t.completion.as_ref())
        .and_then(|c| c.completion_item.as_ref())
        .and_then(|i| i.snippet_support)
        .unwrap_or(false);
    let result = InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "egwc".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;
    let watches = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    if watches {
        connection
            .sender
            .send(Message::Request(watch_egw_files()))?;
    }
    let settings: Settings = params
        .initialization_options
        .and_then(|o| {
            serde_json::from_value(o)
                .map_err(|e| log(&e.to_string()))
                .ok()
        })
        .unwrap_or_default();
    let workspace = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| convert::path(&f.uri))
        .collect();
    let mut server = Server {
        encoding,
        workspace,
        settings: crate::Options {
            // One set of parses for the session: each build parses again what changed.
            parses: Some(std::sync::Arc::default()),
            ..settings.options()
        },
        documents: BTreeMap::new(),
        published: BTreeMap::new(),
        dirty: BTreeSet::new(),
        closed: Vec::new(),
        diagnosed: BTreeMap::new(),
        stdlib: stdlib.map(Path::to_path_buf),
        snippets,
        leftovers: None,
    };
    // lsp-server hands messages over one at a time (a rendezvous channel): a thread takes
    // them as they come, so that what arrives while the server is busy waits in a queue and
    // can be taken as one batch.
    let (queue, incoming) = std::sync::mpsc::channel();
    let receiver = connection.receiver.clone();
    std::thread::spawn(move || {
        for message in receiver {
            if queue.send(message).is_err() {
                return;
            }
        }
    });
    let mut shut_down = false;
    // Messages read while the last batch was checked: the start of the next one.
    let mut batch: Vec<Message> = Vec::new();
    // Requests cancelled before they were answered: of this batch, or of the next.
    let mut cancelled: HashSet<RequestId> = HashSet::new();
    loop {
        if batch.is_empty() {
            match incoming.recv() {
                Ok(first) => batch.push(first),
                Err(_) => break,
            }
        }
        // Everything that came while the last batch was worked on.
        batch.extend(incoming.try_iter());
        // The notifications first, in order (the documents' text), then the checks they ask
        // for, then the requests, with the text as it now is.
        let mut requests = Vec::new();
        for message in std::mem::take(&mut batch) {
            match message {
                Message::Request(request) => requests.push(request),
                Message::Notification(n) if n.method == Exit::METHOD => return Ok(shut_down),
                Message::Notification(n) if n.method == Cancel::METHOD => {
                    cancelled.extend(cancelled_id(&n));
                }
                Message::Notification(n) => {
                    let method = n.method.clone();
                    // A notification cannot be answered: one the server cannot read is
                    // logged and the session goes on.
                    if let Err(e) = server.notification(n) {
                        log(&format!("ignored `{method}`: {e}"));
                    }
                }
                Message::Response(_) => {}
            }
        }
        for publish in server.flush() {
            let params = serde_json::to_value(publish)?;
            let note = Notification::new(PublishDiagnostics::METHOD.to_string(), params);
            connection.sender.send(Message::Notification(note))?;
        }
        // Freed once the editor has the diagnostics.
        server.leftovers = None;
        // What came during the checks: its cancellations apply now, the rest is the next
        // batch.
        for message in incoming.try_iter() {
            match &message {
                Message::Notification(n) if n.method == Cancel::METHOD => {
                    cancelled.extend(cancelled_id(n));
                }
                _ => batch.push(message),
            }
        }
        for request in requests {
            let response = if request.method == Shutdown::METHOD {
                shut_down = true;
                Response::new_ok(request.id, ())
            } else if shut_down {
                Response::new_err(
                    request.id,
                    ErrorCode::InvalidRequest as i32,
                    "the server is shutting down".to_string(),
                )
            } else if cancelled.contains(&request.id) {
                Response::new_err(
                    request.id,
                    ErrorCode::RequestCanceled as i32,
                    "cancelled".to_string(),
                )
            } else {
                server.request(request)
            };
            connection.sender.send(Message::Response(response))?;
        }
        // Only cancellations of requests still to be answered are kept.
        cancelled.retain(|id| {
            batch
                .iter()
                .any(|m| matches!(m, Message::Request(r) if r.id == *id))
        });
    }
    // The client went away without `exit`.
    Ok(false)
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(lsp_types::TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        document_formatting_provider: Some(OneOf::Left(true)),
        definition_provider: Some(OneOf::Left(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".to_string(), "{".to_string()]),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        inlay_hint_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(lsp_types::FoldingRangeProviderCapability::Simple(true)),
        document_highlight_provider: Some(OneOf::Left(true)),
        selection_range_provider: Some(lsp_types::SelectionRangeProviderCapability::Simple(true)),
        semantic_tokens_provider: Some(
            lsp_types::SemanticTokensServerCapabilities::SemanticTokensOptions(
                lsp_types::SemanticTokensOptions {
                    legend: semantic_legend(),
                    full: Some(lsp_types::SemanticTokensFullOptions::Bool(true)),
                    range: None,
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                },
            ),
        ),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(lsp_types::CodeLensOptions {
            resolve_provider: Some(false),
        }),
        ..ServerCapabilities::default()
    }
}

/// The token type of each kind of name, in the legend's order.
const TOKEN_KINDS: &[(index::Kind, lsp_types::SemanticTokenType)] = &[
    (index::Kind::Service, lsp_types::SemanticTokenType::CLASS),
    (
        index::Kind::Gateway,
        lsp_types::SemanticTokenType::INTERFACE,
    ),
    (
        index::Kind::Listener,
        lsp_types::SemanticTokenType::PROPERTY,
    ),
    (index::Kind::Route, lsp_types::SemanticTokenType::FUNCTION),
    (index::Kind::Filters, lsp_types::SemanticTokenType::STRUCT),
    (
        index::Kind::Constant,
        lsp_types::SemanticTokenType::VARIABLE,
    ),
];

/// The semantic tokens' legend: the kinds of names, and `declaration` for a definition's.
fn semantic_legend() -> lsp_types::SemanticTokensLegend {
    lsp_types::SemanticTokensLegend {
        token_types: TOKEN_KINDS.iter().map(|(_, t)| t.clone()).collect(),
        token_modifiers: vec![lsp_types::SemanticTokenModifier::DECLARATION],
    }
}

/// The request that asks the client to tell the server of `.egw` and `egwc.toml` files
/// changed on disk (a `git checkout`, another editor).
fn watch_egw_files() -> Request {
    let watchers = ["**/*.egw", "**/egwc.toml"]
        .into_iter()
        .map(|glob| FileSystemWatcher {
            glob_pattern: GlobPattern::String(glob.to_string()),
            kind: None,
        })
        .collect();
    let options = DidChangeWatchedFilesRegistrationOptions { watchers };
    let params = RegistrationParams {
        registrations: vec![Registration {
            id: "egwc-watch".to_string(),
            method: DidChangeWatchedFiles::METHOD.to_string(),
            register_options: serde_json::to_value(options).ok(),
        }],
    };
    Request::new(
        RequestId::from("egwc-watch".to_string()),
        RegisterCapability::METHOD.to_string(),
        params,
    )
}

/// `egwc/preview`: the YAML of the objects a block makes (`source`, its `egwc/source`), or of
/// the document's whole build. What the editor's preview shows (the code lens "N objects").
enum Preview {}

#[derive(serde::Deserialize, serde::Serialize)]
struct PreviewParams {
    uri: String,
    source: Option<String>,
}

impl lsp_types::request::Request for Preview {
    type Params = PreviewParams;
    type Result = String;
    const METHOD: &'static str = "egwc/preview";
}

/// The request a `$/cancelRequest` notification cancels.
fn cancelled_id(n: &Notification) -> Option<RequestId> {
    let params: lsp_types::CancelParams = serde_json::from_value(n.params.clone()).ok()?;
    Some(match params.id {
        NumberOrString::Number(n) => RequestId::from(n),
        NumberOrString::String(s) => RequestId::from(s),
    })
}

/// Maps are keyed by a URI's text: `Uri` caches parts of itself, so it is no key.
struct Server {
    encoding: Encoding,
    /// The editor's workspace folders: importers are not looked for above them.
    workspace: Vec<PathBuf>,
    /// The client's initialization options, as command-line flags, and the parses kept
    /// between builds.
    settings: crate::Options,
    /// The open documents' text.
    documents: BTreeMap<String, Document>,
    /// For each open document, the files its last check published diagnostics for, so that a
    /// file no check reports on any more is cleared.
    published: BTreeMap<String, BTreeMap<String, Uri>>,
    /// The open documents to check before the next batch.
    dirty: BTreeSet<String>,
    /// The files the checks of closed documents reported on: cleared unless another check
    /// reports on them.
    closed: Vec<BTreeMap<String, Uri>>,
    /// The range and code of each diagnostic last published, by file: for hover.
    diagnosed: BTreeMap<String, Vec<(lsp_types::Range, crate::diagnostics::Code)>>,
    /// The directory with the standard library's modules as files, if it could be made.
    stdlib: Option<PathBuf>,
    /// Whether the client takes snippets (whole blocks with placeholders) in completion.
    snippets: bool,
    /// The syntax trees and model of the last check, freed after its diagnostics are sent.
    leftovers: Option<crate::Leftovers>,
}

struct Document {
    uri: Uri,
    text: String,
    /// The version the client gave it, published with its diagnostics.
    version: i32,
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
            PrepareRenameRequest::METHOD => answer::<PrepareRenameRequest>(request, |p| {
                self.prepare_rename(&p.text_document.uri, p.position)
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
            SemanticTokensFullRequest::METHOD => {
                answer::<SemanticTokensFullRequest>(request, |p| {
                    Ok(Some(lsp_types::SemanticTokensResult::Tokens(
                        lsp_types::SemanticTokens {
                            result_id: None,
                            data: self.semantic_tokens(&p.text_document.uri),
                        },
                    )))
                })
            }
            SelectionRangeRequest::METHOD => answer::<SelectionRangeRequest>(request, |p| {
                Ok(Some(
                    self.selection_ranges(&p.text_document.uri, &p.positions),
                ))
            }),
            DocumentHighlightRequest::METHOD => answer::<DocumentHighlightRequest>(request, |p| {
                let at = p.text_document_position_params;
                Ok(Some(self.highlights(&at.text_document.uri, at.position)))
            }),
            WorkspaceSymbolRequest::METHOD => answer::<WorkspaceSymbolRequest>(request, |p| {
                Ok(Some(lsp_types::WorkspaceSymbolResponse::Flat(
                    self.workspace_symbols(&p.query),
                )))
            }),
            CodeLensRequest::METHOD => answer::<CodeLensRequest>(request, |p| {
                Ok(Some(self.code_lenses(&p.text_document.uri)))
            }),
            Preview::METHOD => answer::<Preview>(request, |p| {
                let uri: Uri = p
                    .uri
                    .parse()
                    .map_err(|_| format!("`{}` is not a URI", p.uri))?;
                Ok(self.preview(&uri, p.source.as_deref()))
            }),
            FoldingRangeRequest::METHOD => answer::<FoldingRangeRequest>(request, |p| {
                Ok(Some(self.folding_ranges(&p.text_document.uri)))
            }),
            InlayHintRequest::METHOD => answer::<InlayHintRequest>(request, |p| {
                Ok(Some(self.inlay_hints(&p.text_document.uri, p.range)))
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
            ..self.settings.clone()
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

    /// The URI a file of a build is shown under: the document's own for `own` (its file in
    /// the build; for an untitled buffer, the text read as standard input), an open
    /// document's for its file, a module of the standard library's in [`Server::stdlib`],
    /// else its path's.
    fn uri_of(&self, sources: &SourceMap, file: FileId, own: (FileId, &Uri)) -> Option<Uri> {
        if file == own.0 {
            return Some(own.1.clone());
        }
        let path = &sources.get(file).path;
        if let Some(module) = crate::stdlib::of_source_path(path) {
            return convert::uri(&self.stdlib.as_ref()?.join(module.path));
        }
        match self
            .documents
            .values()
            .find(|d| d.path.as_ref() == Some(path))
        {
            Some(d) => Some(d.uri.clone()),
            None => convert::uri(path),
        }
    }

    /// Keeps the documents' text, and notes which documents to check once the batch is read.
    fn notification(&mut self, n: Notification) -> Result<()> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let p: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(n.params)?;
                let uri = p.text_document.uri;
                let key = uri.as_str().to_string();
                let document = Document {
                    path: convert::path(&uri),
                    uri,
                    text: p.text_document.text,
                    version: p.text_document.version,
                    root: None,
                    names: Vec::new(),
                };
                self.documents.insert(key.clone(), document);
                self.find_roots(Some(&key));
                self.dirty.insert(key);
            }
            DidChangeTextDocument::METHOD => {
                let p: lsp_types::DidChangeTextDocumentParams = serde_json::from_value(n.params)?;
                let key = p.text_document.uri.as_str().to_string();
                if let Some(document) = self.documents.get_mut(&key) {
                    // In order: each change's range is in the text the one before left.
                    for change in p.content_changes {
                        match change.range {
                            Some(range) => {
                                let text = &document.text;
                                let start = convert::offset_in(text, range.start, self.encoding);
                                let end = convert::offset_in(text, range.end, self.encoding);
                                document
                                    .text
                                    .replace_range(start..end.max(start), &change.text);
                            }
                            None => document.text = change.text,
                        }
                    }
                    document.version = p.text_document.version;
                    self.dirty.insert(key);
                }
            }
            // A saved file, or one changed on disk, may import or be imported by any open
            // document, or be the project's configuration.
            DidSaveTextDocument::METHOD | DidChangeWatchedFiles::METHOD => {
                self.find_roots(None);
                self.dirty.extend(self.documents.keys().cloned());
            }
            DidCloseTextDocument::METHOD => {
                let p: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(n.params)?;
                let key = p.text_document.uri.as_str();
                self.documents.remove(key);
                self.dirty.remove(key);
                if let Some(files) = self.published.remove(key) {
                    self.closed.push(files);
                }
                // The others may have read the closed one as the editor held it.
                self.dirty.extend(self.documents.keys().cloned());
            }
            _ => {}
        }
        Ok(())
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
