//! Parsing: source text to [`ast::File`]. The only module that sees pest types. Parsing
//! never panics; it returns the tree it could build and the diagnostics it found (a syntax
//! error, bad escapes, numbers too large). This file drives the parse (in chunks for large
//! files) and the formatter; `lower.rs` builds the syntax tree, `error.rs` words syntax
//! errors, `recover.rs` resumes after one, `layout.rs` is the canonical layout.

pub mod ast;
mod error;
mod layout;
mod lex;
mod lower;
mod recover;
mod spans;

pub use lex::{comment_start, is_word_char, open_string};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use pest::Parser;

use crate::diagnostics::Diagnostic;
use crate::source::FileId;
use ast::*;
use lower::Builder;
use spans::Spans;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/egw.pest"]
struct EgwParser;

/// Parses one file. On a syntax error the tree is empty and the diagnostics say what was
/// expected, in the language's words: one per mistake parsing could resume after (see
/// [`recover::syntax_errors`]).
///
/// A large file is parsed in pieces, on every core: it is cut after top-level blocks into
/// chunks, each a file of its own, and the items are joined in order. Small pieces also keep
/// pest's token queue, many times the size of its text, small. If a chunk fails, the whole
/// text is parsed again, so a syntax error is reported exactly as for one parse.
pub fn parse(file: FileId, text: &str) -> (File, Vec<Diagnostic>) {
    parse_in_chunks(file, text, &chunks(text, CHUNK_BYTES))
}

/// The size from which a file is cut into chunks of about this size.
const CHUNK_BYTES: usize = 256 * 1024;

fn parse_in_chunks(file: FileId, text: &str, chunks: &[(usize, usize)]) -> (File, Vec<Diagnostic>) {
    if chunks.len() < 2 {
        return parse_chunk(file, text, 0).unwrap_or_else(|_| failed(file, text));
    }
    let threads = crate::parallel::cores().min(chunks.len());
    // Share `t` is chunks t, t + threads, t + 2 × threads, …; a share stops at its first
    // failed chunk.
    let parse_share = |t: usize| {
        let mut done = Vec::new();
        for (i, &(start, end)) in chunks.iter().enumerate().skip(t).step_by(threads) {
            let result = parse_chunk(file, &text[start..end], start);
            let failed = result.is_err();
            done.push((i, result));
            if failed {
                break;
            }
        }
        done
    };
    let mut results: Vec<_> = crate::parallel::each_share(threads, parse_share)
        .into_iter()
        .flatten()
        .collect();
    results.sort_unstable_by_key(|(i, _)| *i);
    if results.len() < chunks.len() || results.iter().any(|(_, r)| r.is_err()) {
        return failed(file, text);
    }
    let parsed: Vec<_> = results
        .into_iter()
        .map(|(_, r)| r.expect("failures were handled above"))
        .collect();
    let mut ast = File::default();
    ast.items
        .reserve_exact(parsed.iter().map(|(chunk, _)| chunk.items.len()).sum());
    let mut diags = Vec::new();
    for (chunk, chunk_diags) in parsed {
        ast.items.extend(chunk.items);
        ast.has_holes |= chunk.has_holes;
        ast.malformed.extend(chunk.malformed);
        diags.extend(chunk_diags);
    }
    (ast, diags)
}

/// Parses `text`, found at byte `offset` of its file.
fn parse_chunk(
    file: FileId,
    text: &str,
    offset: usize,
) -> Result<(File, Vec<Diagnostic>), Box<pest::error::Error<Rule>>> {
    let mut pairs = EgwParser::parse(Rule::file, text).map_err(Box::new)?;
    let mut builder = Builder {
        file,
        offset,
        diags: Vec::new(),
        has_holes: false,
        malformed: Vec::new(),
    };
    let root = pairs
        .next()
        .expect("pest returns the `file` rule on success");
    let ast = builder.file(root);
    Ok((ast, builder.diags))
}

/// The parses of top-level blocks, kept from one build to the next (the language server):
/// a keystroke re-parses the block it is in, and the other blocks of the file are taken
/// from the last parse, moved to where they now are. Each file keeps the blocks of its last
/// parse only, so what is kept is one tree per file read.
///
/// The trees are lent, not copied: [`Parses::parse`] moves a kept block's tree into the
/// file it returns, and [`Parses::take_back`] takes the trees back from the build once it is
/// checked. A tree the build changes (one with a `${}` hole, which checking fills in) is
/// copied instead. A build that does not give its trees back costs only speed: the blocks
/// it borrowed are parsed again next time.
#[derive(Debug, Default)]
pub struct Parses {
    files: Mutex<HashMap<PathBuf, Kept>>,
}

/// What is kept of one file: its blocks in hand, and those lent to a build.
#[derive(Debug, Default)]
struct Kept {
    blocks: HashMap<Box<str>, Block>,
    lent: Option<Lent>,
}

/// A block's tree, as parsed at byte `offset` of a file `file`.
#[derive(Clone, Debug)]
struct Block {
    tree: File,
    file: FileId,
    offset: u32,
}

/// The blocks of one parse, in order, as the build received them under `file`.
#[derive(Debug)]
struct Lent {
    file: FileId,
    items: usize,
    blocks: Vec<LentBlock>,
}

impl Kept {
    /// Keeps the trees of the `lent` blocks that are to come back, cut in order from
    /// `items`, the items of a parse of `file` made of those blocks.
    fn keep(&mut self, file: FileId, lent: Vec<LentBlock>, items: Vec<Spanned<Item>>) {
        self.blocks.reserve(lent.len());
        let mut items = items.into_iter();
        for block in lent {
            let tree = File {
                items: items.by_ref().take(block.items).collect(),
                ..File::default()
            };
            if let Some(source) = block.source {
                let offset = block.offset;
                self.blocks.insert(source, Block { tree, file, offset });
            }
        }
    }
}

#[derive(Debug)]
struct LentBlock {
    /// The block's text, when its tree is to come back to [`Kept::blocks`].
    source: Option<Box<str>>,
    offset: u32,
    items: usize,
}

impl Parses {
    /// Parses the file at `path`, as [`parse`] does, reusing the blocks of its last parse.
    pub fn parse(&self, path: &Path, file: FileId, text: &str) -> (File, Vec<Diagnostic>) {
        let mut kept = self.lock().remove(path).unwrap_or_default();
        let mut now = Kept::default();
        let mut lent = Vec::new();
        let mut ast = File::default();
        let mut diags = Vec::new();
        let mut broken = false;
        for (start, end) in chunks(text, 1) {
            let source = &text[start..end];
            let (tree, key) = match kept.blocks.remove_entry(source) {
                Some((key, block)) => {
                    let mut tree = block.tree;
                    let (from, delta) = (block.file, start as i64 - i64::from(block.offset));
                    // Most blocks of a keystroke's file are where they were.
                    if from != file || delta != 0 {
                        tree.spans(&mut |span| {
                            debug_assert_eq!(span.file, from);
                            span.file = file;
                            // Within the file: offsets fit in u32 (the loader refuses larger
                            // files).
                            span.start = (i64::from(span.start) + delta) as u32;
                            span.end = (i64::from(span.end) + delta) as u32;
                        });
                    }
                    (tree, Some(key))
                }
                None => match parse_chunk(file, source, start) {
                    Ok((tree, block_diags)) => {
                        // A block with diagnostics (a bad escape, say) is parsed again each
                        // time, so that they are reported again.
                        let keep = block_diags.is_empty() && tree.malformed.is_empty();
                        diags.extend(block_diags);
                        (tree, keep.then(|| source.into()))
                    }
                    Err(_) => {
                        broken = true;
                        break;
                    }
                },
            };
            let items = tree.items.len();
            let source = match key {
                // Checking fills in the holes: the build gets a copy.
                Some(key) if tree.has_holes => {
                    let block = Block {
                        tree: tree.clone(),
                        file,
                        offset: start as u32,
                    };
                    now.blocks.insert(key, block);
                    None
                }
                key => key,
            };
            lent.push(LentBlock {
                source,
                offset: start as u32,
                items,
            });
            join(&mut ast, tree);
        }
        let mut files = self.lock();
        if broken {
            // Keep what the last parse had too: the error is fixed at the next keystroke.
            // The trees parsed before the error were not lent: they are kept.
            let mut merged = Kept {
                blocks: kept.blocks,
                lent: None,
            };
            merged.blocks.extend(now.blocks);
            merged.keep(file, lent, ast.items);
            files.insert(path.to_path_buf(), merged);
            return failed(file, text);
        }
        now.lent = Some(Lent {
            file,
            items: ast.items.len(),
            blocks: lent,
        });
        files.insert(path.to_path_buf(), now);
        (ast, diags)
    }

    /// Takes back a tree [`Parses::parse`] lent to a build, once the build is done with it:
    /// the file at `path`, `file` in the build. A tree that is not as it was lent (another
    /// build's, or changed) is dropped.
    pub fn take_back(&self, path: &Path, file: FileId, tree: File) {
        let mut kept = self.lock();
        let Some(kept) = kept.get_mut(path) else {
            return;
        };
        let Some(lent) = kept
            .lent
            .take_if(|l| l.file == file && l.items == tree.items.len())
        else {
            return;
        };
        kept.keep(file, lent.blocks, tree.items);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Kept>> {
        // A panic while the lock was held left a map of whole entries: keep using it.
        self.files.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn join(ast: &mut File, chunk: File) {
    ast.items.extend(chunk.items);
    ast.has_holes |= chunk.has_holes;
    ast.malformed.extend(chunk.malformed);
}

/// The byte ranges of the blocks of a text, `{` to its `}` (strings and comments skipped),
/// outermost first: what an editor folds. An unclosed `{` folds nothing.
pub fn block_ranges(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut open = Vec::new();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => i += lex::string_len(&b[i..]).max(1) - 1,
            b'/' if lex::is_comment(&b[i..]) => i += lex::comment_len(&b[i..]).max(1) - 1,
            b'{' => open.push(i),
            b'}' => {
                if let Some(start) = open.pop() {
                    out.push((start, i));
                }
            }
            _ => {}
        }
        i += 1;
    }
    out.sort_unstable();
    out
}

/// The top-level blocks of a text that does not parse, each parsed on its own: those that
/// parse, in order. For the language server, so that one half-typed line does not hide the
/// names of every other block (the diagnostics are [`parse`]'s).
pub fn parse_blocks(file: FileId, text: &str) -> File {
    let mut ast = File::default();
    for (start, end) in chunks(text, 1) {
        if let Ok((chunk, _)) = parse_chunk(file, &text[start..end], start) {
            ast.items.extend(chunk.items);
            ast.has_holes |= chunk.has_holes;
        }
    }
    ast
}

fn failed(file: FileId, text: &str) -> (File, Vec<Diagnostic>) {
    (File::default(), recover::syntax_errors(file, text))
}

/// Byte ranges that cut `text` into chunks of at least `size` bytes (but the last), each
/// ending just after the `}` that closes a top-level block (outside strings and comments).
/// Text that is not balanced may be cut wrongly; its chunks then fail, and the caller parses
/// it whole.
fn chunks(text: &str, size: usize) -> Vec<(usize, usize)> {
    if text.len() < 2 * size {
        return vec![(0, text.len())];
    }
    let b = text.as_bytes();
    let mut cuts = vec![0];
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => i += lex::string_len(&b[i..]) - 1,
            b'/' if lex::is_comment(&b[i..]) => i += lex::comment_len(&b[i..]) - 1,
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                let last = *cuts.last().expect("cuts start with 0");
                if depth == 0 && i + 1 - last >= size && b.len() - (i + 1) >= size {
                    cuts.push(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    cuts.push(text.len());
    cuts.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Formats one file in the canonical layout (`egwc fmt`). Text that does not parse is not
/// formatted: the error is the same syntax error a build reports.
pub fn format(file: FileId, text: &str) -> Result<String, Vec<Diagnostic>> {
    match EgwParser::parse(Rule::file, text) {
        Ok(mut pairs) => Ok(layout::format(
            text,
            pairs
                .next()
                .expect("pest returns the `file` rule on success"),
        )),
        Err(_) => Err(recover::syntax_errors(file, text)),
    }
}

/// The length of the name (the grammar's `name` token) at the start of `text`; 0 if none.
fn name_len(text: &str) -> usize {
    // Given only the ASCII word it starts with: pest's error costs time in the length of the
    // text it is given, and a string of many `${` would make that quadratic.
    let word = lex::word_len(text.as_bytes());
    EgwParser::parse(Rule::name, &text[..word])
        .ok()
        .and_then(|mut pairs| pairs.next())
        .map_or(0, |name| name.as_str().len())
}

/// Whether `text` is exactly a name: what a service, gateway or constant may be called.
pub fn is_name(text: &str) -> bool {
    !text.is_empty() && name_len(text) == text.len()
}

/// The keywords that may begin an item at byte `offset` of `text` (see
/// [`recover::keywords_at`]).
pub fn keywords_at(text: &str, offset: usize) -> Vec<String> {
    recover::keywords_at(text, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every example and case, parsed in chunks as small as possible, gives the tree and the
    /// diagnostics of one parse.
    #[test]
    fn parsing_in_chunks_is_parsing_whole() {
        let mut files = Vec::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        collect(&root.join("examples"), &mut files);
        collect(&root.join("tests/cases"), &mut files);
        let mut cut = 0;
        for path in files {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let pieces = chunks(&text, 1);
            cut += usize::from(pieces.len() > 1);
            let whole = parse_in_chunks(FileId(0), &text, &[(0, text.len())]);
            let chunked = parse_in_chunks(FileId(0), &text, &pieces);
            assert_eq!(
                format!("{chunked:?}"),
                format!("{whole:?}"),
                "{}",
                path.display()
            );
        }
        assert!(cut > 50, "too few files were cut: {cut}");
    }

    /// A file parsed through [`Parses`] gives the tree and diagnostics of one parse, when
    /// its blocks are kept from a parse where they stood elsewhere, in another file, and when
    /// none is kept. A span the move misses shows here.
    #[test]
    fn kept_blocks_moved_into_place_are_parsing_whole() {
        let mut files = Vec::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        collect(&root.join("examples"), &mut files);
        collect(&root.join("tests/cases"), &mut files);
        let mut kept = 0;
        for path in files {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let whole = format!(
                "{:?}",
                parse_in_chunks(FileId(3), &text, &[(0, text.len())])
            );
            let cold = Parses::default().parse(&path, FileId(3), &text);
            assert_eq!(format!("{cold:?}"), whole, "{}", path.display());
            // Parsed first a line lower, in file 9, and given back by its build: every block
            // but the first moves up.
            let parses = Parses::default();
            let (first, _) = parses.parse(&path, FileId(9), &format!("// moved\n{text}"));
            parses.take_back(&path, FileId(9), first);
            let (moved, diags) = parses.parse(&path, FileId(3), &text);
            assert_eq!(
                format!("{:?}", (&moved, diags)),
                whole,
                "{}",
                path.display()
            );
            let files = parses.lock();
            let now = &files[&path];
            // A file that does not parse lends nothing: it keeps what parsed.
            match now.lent.as_ref() {
                Some(lent) => kept += lent.blocks.iter().filter(|b| b.source.is_some()).count(),
                None => assert!(
                    EgwParser::parse(Rule::file, &text).is_err(),
                    "{}",
                    path.display()
                ),
            }
            drop(files);
            // Given back again, the blocks are all there for the next parse.
            parses.take_back(&path, FileId(3), moved);
            let again = parses.parse(&path, FileId(3), &text);
            assert_eq!(format!("{again:?}"), whole, "{}", path.display());
        }
        assert!(kept > 200, "too few blocks were kept: {kept}");
    }

    #[test]
    fn chunks_end_after_top_level_blocks_outside_strings_and_comments() {
        let text = "service a { x \"}\" } // }\nservice b { y { } }\nservice c {}";
        let cuts = chunks(text, 1);
        let ends: Vec<&str> = cuts.iter().map(|&(a, b)| &text[a..b]).collect();
        assert_eq!(
            ends,
            [
                "service a { x \"}\" }",
                " // }\nservice b { y { } }",
                "\nservice c {}"
            ]
        );
    }

    fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                collect(&path, out);
            } else if path.extension().is_some_and(|e| e == "egw") {
                out.push(path);
            }
        }
    }
}
