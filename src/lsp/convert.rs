//! Between egwc's types and the language server protocol's: spans and positions, diagnostics,
//! file paths and URIs. The only place that knows LSP types besides the main loop; it never
//! rewrites a diagnostic's wording.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{
    CodeAction, CodeActionKind, CompletionItem, CompletionItemKind, DiagnosticRelatedInformation,
    DiagnosticSeverity, DocumentChanges, DocumentSymbol, Location, NumberOrString, OneOf,
    OptionalVersionedTextDocumentIdentifier, Position, PositionEncodingKind, Range, SymbolKind,
    TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use crate::complete::{Candidate, What};
use crate::diagnostics::{Diagnostic, Severity};
use crate::index::{Def, Kind};
use crate::source::{SourceFile, SourceMap, Span};

/// How positions count characters in a line: the client's choice, UTF-16 by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// UTF-8 if the client offers it (offsets are then byte offsets, no conversion), else the
    /// protocol's default, UTF-16.
    pub fn choose(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// The position of byte `offset` of `file`.
pub fn position(file: &SourceFile, offset: u32, encoding: Encoding) -> Position {
    let line = file.line_of(offset);
    let start = file.line_start(line);
    let before = file.text.get(start..offset as usize).unwrap_or_default();
    let character = match encoding {
        Encoding::Utf8 => before.len(),
        Encoding::Utf16 => before.encode_utf16().count(),
    };
    Position::new(line as u32, character as u32)
}

/// The byte offset of a position in `file`, clamped to its line (a position past the end of
/// a line means its end).
pub fn offset(file: &SourceFile, position: Position, encoding: Encoding) -> u32 {
    let start = file.line_start(position.line as usize);
    let end = file.line_start(position.line as usize + 1);
    let line = file.text.get(start..end).unwrap_or_default();
    let line = line.strip_suffix('\n').unwrap_or(line);
    (start + column(line, position.character, encoding).unwrap_or(line.len())) as u32
}

/// The byte offset of `position` in a text without a line index (an edit to apply): a
/// character past the end of its line is the line's end, a line past the text its end.
pub fn offset_in(text: &str, position: Position, encoding: Encoding) -> usize {
    let mut start = 0;
    for _ in 0..position.line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[start..end];
    start + column(line, position.character, encoding).unwrap_or(line.len())
}

/// The byte offset in `line` of the character `character` code units from its start; `None`
/// past its last character.
fn column(line: &str, character: u32, encoding: Encoding) -> Option<usize> {
    let mut units = 0;
    for (i, c) in line.char_indices() {
        if units >= character as usize {
            return Some(i);
        }
        units += match encoding {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        };
    }
    None
}

pub fn range(sources: &SourceMap, span: Span, encoding: Encoding) -> Range {
    let file = sources.get(span.file);
    Range::new(
        position(file, span.start, encoding),
        position(file, span.end, encoding),
    )
}

/// The range of a whole text, for an edit that replaces it.
pub fn whole(text: &str, encoding: Encoding) -> Range {
    let line = text.matches('\n').count();
    let last = &text[text.rfind('\n').map_or(0, |i| i + 1)..];
    let character = match encoding {
        Encoding::Utf8 => last.len(),
        Encoding::Utf16 => last.encode_utf16().count(),
    };
    Range::new(
        Position::new(0, 0),
        Position::new(line as u32, character as u32),
    )
}

/// A diagnostic as the protocol shows it: the primary label's range, the code, the message
/// with its help, and the other labels as related information where they have a file (a
/// label in the standard library has none an editor could open).
pub fn diagnostic(
    sources: &SourceMap,
    d: &Diagnostic,
    encoding: Encoding,
    uri_of: &dyn Fn(Span) -> Option<Uri>,
) -> lsp_types::Diagnostic {
    let info = d.code.info();
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter(|l| !l.primary)
        .filter_map(|l| {
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri_of(l.span)?, range(sources, l.span, encoding)),
                message: l.message.clone(),
            })
        })
        .collect();
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    lsp_types::Diagnostic {
        range: range(sources, d.primary_span(), encoding),
        severity: Some(match d.severity() {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Note => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(format!(
            "{} {}",
            info.code, info.name
        ))),
        source: Some("egwc".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        // The fix travels with the diagnostic, so a code action needs no state to offer it.
        data: d.fix.as_ref().map(|f| {
            let edit = TextEdit::new(range(sources, f.span, encoding), f.replacement.clone());
            serde_json::json!({ "fix": edit })
        }),
        ..lsp_types::Diagnostic::default()
    }
}

/// The quick fix carried by a diagnostic the server published, for the document `uri`.
pub fn quick_fix(uri: &Uri, d: &lsp_types::Diagnostic) -> Option<CodeAction> {
    let edit: TextEdit = serde_json::from_value(d.data.as_ref()?.get("fix")?.clone()).ok()?;
    let title = format!("Write `{}`", edit.new_text);
    let change = TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier {
            uri: uri.clone(),
            version: None,
        },
        edits: vec![OneOf::Left(edit)],
    };
    Some(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![d.clone()]),
        edit: Some(WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![change])),
            ..WorkspaceEdit::default()
        }),
        is_preferred: Some(true),
        ..CodeAction::default()
    })
}

/// The file a `file:` URI names; `None` for other schemes (an unsaved, untitled buffer).
pub fn path(uri: &Uri) -> Option<PathBuf> {
    url::Url::parse(uri.as_str()).ok()?.to_file_path().ok()
}

/// The `file:` URI of a path on disk; `None` for one that is not absolute (the standard
/// library's virtual files).
pub fn uri(path: &Path) -> Option<Uri> {
    let url = url::Url::from_file_path(path).ok()?;
    Uri::from_str(url.as_str()).ok()
}

/// The outline entry of a definition, without its children.
pub fn symbol(sources: &SourceMap, def: &Def, encoding: Encoding) -> DocumentSymbol {
    let (kind, detail) = match def.kind {
        Kind::Gateway => (SymbolKind::INTERFACE, "gateway"),
        Kind::Listener => (SymbolKind::FIELD, "listener"),
        Kind::Service => (SymbolKind::CLASS, "service"),
        Kind::Route => (SymbolKind::FUNCTION, "route"),
        Kind::Filters => (SymbolKind::STRUCT, "filters"),
        Kind::Constant => (SymbolKind::CONSTANT, "let"),
    };
    // A listener is shown by its own name under its gateway.
    let name = def.name.rsplit('.').next().unwrap_or(&def.name).to_string();
    #[allow(deprecated)] // `deprecated` is a field every DocumentSymbol must give
    DocumentSymbol {
        name,
        detail: Some(detail.to_string()),
        kind,
        tags: None,
        deprecated: None,
        range: range(sources, def.span, encoding),
        selection_range: range(sources, def.name_span, encoding),
        children: None,
    }
}

/// A completion candidate as the protocol shows it.
pub fn completion(c: Candidate) -> CompletionItem {
    let (kind, detail) = match c.what {
        What::Keyword => (CompletionItemKind::KEYWORD, "keyword"),
        What::Target => (CompletionItemKind::ENUM_MEMBER, "target"),
        What::Value => (CompletionItemKind::VALUE, "value"),
        What::Name(Kind::Service) => (CompletionItemKind::CLASS, "service"),
        What::Name(Kind::Gateway) => (CompletionItemKind::INTERFACE, "gateway"),
        What::Name(Kind::Listener) => (CompletionItemKind::FIELD, "listener"),
        What::Name(Kind::Route) => (CompletionItemKind::FUNCTION, "route"),
        What::Name(Kind::Filters) => (CompletionItemKind::STRUCT, "filters"),
        What::Name(Kind::Constant) => (CompletionItemKind::CONSTANT, "let"),
        What::Snippet(body) => {
            return CompletionItem {
                detail: Some(format!("{} block", c.label)),
                label: c.label,
                kind: Some(CompletionItemKind::SNIPPET),
                insert_text: Some(body.to_string()),
                insert_text_format: Some(lsp_types::InsertTextFormat::SNIPPET),
                ..CompletionItem::default()
            };
        }
    };
    CompletionItem {
        label: c.label,
        kind: Some(kind),
        detail: Some(detail.to_string()),
        ..CompletionItem::default()
    }
}
