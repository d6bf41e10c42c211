//! `egwc lsp`: a language server on standard input and output, on `lsp-server` and
//! `lsp-types` (the synchronous pair rust-analyzer and ruff use). It keeps the text of the
//! open documents, checks a document each time it changes, as `egwc check` would check it
//! saved, and publishes the diagnostics of every file that check read (its imports too). It
//! formats a document as `egwc fmt` does, and finds definitions and the outline from
//! [`crate::index`].
//!
//! A document is checked as the root of its build: a file that is only imported, in a split
//! configuration, may be missing names that its importer defines. Imported files are read
//! from disk, so an unsaved edit in one is seen once it is saved (every open document is
//! checked again on each save).

mod convert;

use std::collections::BTreeMap;
use std::error::Error;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{DocumentSymbolRequest, Formatting, GotoDefinition, Request as _};
use lsp_types::{
    DocumentFormattingParams, DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse,
    GotoDefinitionParams, GotoDefinitionResponse, InitializeParams, InitializeResult, Location,
    OneOf, PublishDiagnosticsParams, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextEdit, Uri,
};

use crate::index::{self, Index};
use crate::load::{Input, Loaded};
use crate::source::{FileId, Span};
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
            document_symbol_provider: Some(OneOf::Left(true)),
            ..ServerCapabilities::default()
        },
        server_info: Some(ServerInfo {
            name: "egwc".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;
    let mut server = Server {
        encoding,
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
                for publish in server.notification(notification)? {
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
    /// The open documents' text.
    documents: BTreeMap<String, Document>,
    /// For each open document, the files its last check published diagnostics for, so that a
    /// file it no longer reports on is cleared.
    published: BTreeMap<String, BTreeMap<String, Uri>>,
}

struct Document {
    uri: Uri,
    text: String,
}

impl Server {
    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        match request.method.as_str() {
            Formatting::METHOD => {
                match request.extract::<DocumentFormattingParams>(Formatting::METHOD) {
                    Ok((id, params)) => self.format(id, &params.text_document.uri),
                    Err(e) => {
                        Response::new_err(id, ErrorCode::InvalidParams as i32, format!("{e:?}"))
                    }
                }
            }
            GotoDefinition::METHOD => {
                match request.extract::<GotoDefinitionParams>(GotoDefinition::METHOD) {
                    Ok((id, params)) => {
                        let at = params.text_document_position_params;
                        let found = self.definition(&at.text_document.uri, at.position);
                        Response::new_ok(id, found.map(GotoDefinitionResponse::Scalar))
                    }
                    Err(e) => {
                        Response::new_err(id, ErrorCode::InvalidParams as i32, format!("{e:?}"))
                    }
                }
            }
            DocumentSymbolRequest::METHOD => {
                match request.extract::<DocumentSymbolParams>(DocumentSymbolRequest::METHOD) {
                    Ok((id, params)) => {
                        let symbols = self.symbols(&params.text_document.uri);
                        Response::new_ok(id, DocumentSymbolResponse::Nested(symbols))
                    }
                    Err(e) => {
                        Response::new_err(id, ErrorCode::InvalidParams as i32, format!("{e:?}"))
                    }
                }
            }
            _ => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("egwc does not answer `{}`", request.method),
            ),
        }
    }

    /// The document and what it imports, parsed (not checked), with its index of names.
    fn index(&self, uri: &Uri) -> Option<(Loaded, Index)> {
        let Document { text, .. } = self.documents.get(uri.as_str())?;
        let mut loaded = crate::load::load(&[self.input(uri, text)]).ok()?;
        let index = Index::new(&mut loaded);
        Some((loaded, index))
    }

    /// Where the name at `position` is defined (in the document, an import, not the
    /// standard library, which has no file to open).
    fn definition(&self, uri: &Uri, position: lsp_types::Position) -> Option<Location> {
        let (loaded, index) = self.index(uri)?;
        let file = loaded.sources.get(FileId(0));
        let at = convert::offset(file, position, self.encoding);
        let def = index.definition_at(Span::new(FileId(0), at as usize, at as usize))?;
        let target = if def.name_span.file == FileId(0) {
            uri.clone()
        } else {
            convert::uri(&loaded.sources.get(def.name_span.file).path)?
        };
        Some(Location::new(
            target,
            convert::range(&loaded.sources, def.name_span, self.encoding),
        ))
    }

    /// The outline of the document: its definitions, a gateway's listeners under it.
    fn symbols(&self, uri: &Uri) -> Vec<DocumentSymbol> {
        let Some((loaded, index)) = self.index(uri) else {
            return Vec::new();
        };
        let symbol = |def: &index::Def| convert::symbol(&loaded.sources, def, self.encoding);
        index
            .defs
            .iter()
            .filter(|d| d.name_span.file == FileId(0))
            .map(|d| DocumentSymbol {
                children: Some(d.children.iter().map(symbol).collect()),
                ..symbol(d)
            })
            .collect()
    }

    /// The document's text as the file at its path (an untitled one as if in the working
    /// directory, importing from there, as standard input does).
    fn input(&self, uri: &Uri, text: &str) -> Input {
        let path = convert::path(uri).unwrap_or_else(|| {
            std::env::current_dir()
                .unwrap_or_default()
                .join("untitled.egw")
        });
        Input::Edited {
            path,
            text: text.as_bytes().to_vec(),
        }
    }

    /// One edit that replaces the document by its formatted text; none when it is formatted
    /// already, or does not parse (its syntax errors are already shown).
    fn format(&self, id: RequestId, uri: &Uri) -> Response {
        let Some(Document { text, .. }) = self.documents.get(uri.as_str()) else {
            return Response::new_err(
                id,
                ErrorCode::InvalidParams as i32,
                "the document is not open".to_string(),
            );
        };
        let edits: Vec<TextEdit> = match crate::syntax::format(FileId(0), text) {
            Ok(formatted) if formatted != *text => vec![TextEdit::new(
                convert::whole(text, self.encoding),
                formatted,
            )],
            _ => Vec::new(),
        };
        Response::new_ok(id, edits)
    }

    /// Keeps the documents' text; returns the diagnostics to publish.
    fn notification(&mut self, n: Notification) -> Result<Vec<PublishDiagnosticsParams>> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let p: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(n.params)?;
                let uri = p.text_document.uri;
                let key = uri.as_str().to_string();
                let text = p.text_document.text;
                self.documents.insert(key.clone(), Document { uri, text });
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
                // A saved file may be imported by any open document.
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

    /// Checks a document as the root of its build: the diagnostics of every file it read,
    /// and an empty list for each file it reported on last time and not now.
    fn check(&mut self, key: &str) -> Vec<PublishDiagnosticsParams> {
        let Some(Document { uri, text }) = self.documents.get(key) else {
            return Vec::new();
        };
        let input = self.input(uri, text);
        let Ok(c) = crate::analyze(&[input], &crate::Options::default()) else {
            return Vec::new(); // an edited text is not read from disk, so this cannot fail
        };
        // The document itself is the first file loaded; other files have their own URI.
        let uri_of = |span: Span| -> Option<Uri> {
            if span.file == FileId(0) {
                Some(uri.clone())
            } else {
                convert::uri(&c.sources.get(span.file).path)
            }
        };
        let mut by_file: BTreeMap<String, (Uri, Vec<lsp_types::Diagnostic>)> = BTreeMap::new();
        for (id, _) in c.sources.files() {
            if let Some(u) = uri_of(Span::new(id, 0, 0)) {
                by_file.insert(u.as_str().to_string(), (u, Vec::new()));
            }
        }
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

fn empty(uri: Uri) -> PublishDiagnosticsParams {
    PublishDiagnosticsParams::new(uri, Vec::new(), None)
}
