//! Loading: reads the files named on the command line, follows their imports and reads the
//! CA files they name. This is the compiler's only file-system access besides the CLI's
//! output. Paths are resolved relative to the importing file and must stay inside the
//! project's root (the directory of the file given on the command line), lexically and once
//! symbolic links are resolved. Imports and CA files are read only when they are regular
//! files, and never past a size limit, so a hostile repository cannot make egwc read
//! elsewhere, block on a FIFO or fill memory from a device.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::{Code, Diagnostic, Spelling};
use crate::pem;
use crate::source::{FileId, SourceMap, Span};
use crate::stdlib;
use crate::syntax::{self, ast};

/// A file named on the command line.
#[derive(Clone, Debug)]
pub enum Input {
    Path(PathBuf),
    /// Text read from standard input; its imports resolve from the working directory.
    Stdin(Vec<u8>),
}

/// Files as an editor holds them, saved or not, by absolute path: read instead of the disk
/// (the language server). Empty for the command line.
pub type Edited = BTreeMap<PathBuf, String>;

/// Everything read for one compilation.
#[derive(Debug, Default)]
pub struct Loaded {
    pub sources: SourceMap,
    /// Parsed files in load order: each root, then its imports, depth first.
    pub files: Vec<(FileId, ast::File)>,
    /// Contents of `ca file` references, keyed by the span of the path string. A missing entry
    /// means reading failed and a diagnostic was already reported.
    pub ca_files: HashMap<Span, String>,
    pub diags: Vec<Diagnostic>,
    /// Where the syntax trees go back to when they are dropped (the language server's kept
    /// parses, which lent them).
    parses: Option<Arc<syntax::Parses>>,
}

impl Loaded {
    /// Done with the syntax trees: they go back to the kept parses that lent them, or are
    /// freed.
    pub fn release_trees(&mut self) {
        drop(self.take_trees());
    }

    /// The syntax trees, taken out with the path of each: dropped, they go back to the kept
    /// parses that lent them, or are freed.
    pub fn take_trees(&mut self) -> Trees {
        let files = std::mem::take(&mut self.files)
            .into_iter()
            .map(|(id, tree)| (self.sources.get(id).path.clone(), id, tree))
            .collect();
        Trees {
            parses: self.parses.clone(),
            files,
        }
    }
}

/// Syntax trees taken out of a build ([`Loaded::take_trees`]).
pub struct Trees {
    parses: Option<Arc<syntax::Parses>>,
    files: Vec<(PathBuf, FileId, ast::File)>,
}

impl Drop for Trees {
    fn drop(&mut self) {
        if let Some(parses) = &self.parses {
            for (path, file, tree) in std::mem::take(&mut self.files) {
                parses.take_back(&path, file, tree);
            }
        }
    }
}

impl Drop for Loaded {
    fn drop(&mut self) {
        self.release_trees();
    }
}

/// Reading a root file failed: a usage or I/O error, not a diagnostic about the input.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}: {source}")]
pub struct LoadError {
    pub path: String,
    pub source: std::io::Error,
}

/// Files larger than this are refused: spans are 32-bit, and no configuration is this big.
const MAX_FILE_BYTES: u64 = 1 << 30;
/// CA files larger than this are refused: a ConfigMap holds at most 1 MiB.
const MAX_CA_BYTES: u64 = 1 << 20;
/// A project configuration larger than this is refused: a real one has a few lines.
const MAX_CONFIG_BYTES: u64 = 1 << 20;
/// Imports nested deeper than this are refused: no project needs them, and each level takes
/// stack.
pub const MAX_IMPORT_DEPTH: usize = 64;

/// The directory a root file's imports and CA files must stay in: as written (for the
/// lexical check and the names shown) and with symbolic links resolved.
#[derive(Clone, Debug)]
struct Root {
    lexical: PathBuf,
    real: PathBuf,
}

impl Root {
    fn new(dir: &Path) -> Root {
        let lexical = normalize(&absolute(dir));
        let real = std::fs::canonicalize(&lexical).unwrap_or_else(|_| lexical.clone());
        Root { lexical, real }
    }
}

/// Loads and parses the inputs and what they import. `parses`, when given, keeps each file's
/// parse for the next load (the language server).
pub fn load(
    inputs: &[Input],
    edited: &Edited,
    parses: Option<&Arc<syntax::Parses>>,
) -> Result<Loaded, LoadError> {
    let mut loader = Loader {
        edited,
        parses: parses.map(|p| &**p),
        loaded: Loaded::default(),
        seen: HashSet::new(),
        stack: Vec::new(),
    };
    loader.loaded.parses = parses.cloned();
    for input in inputs {
        match input {
            Input::Path(path) => {
                let bytes = loader.read_root(path).map_err(|source| LoadError {
                    path: path.display().to_string(),
                    source,
                })?;
                let root = Root::new(directory_of(path));
                let name = path.display().to_string();
                loader.add(name, absolute(path), &root, bytes);
            }
            Input::Stdin(bytes) => {
                let root = Root::new(Path::new("."));
                let path = root.lexical.join("<stdin>");
                loader.add("<stdin>".into(), path, &root, bytes.clone());
            }
        }
    }
    // Files were added as their parsing finished; order them as they were first named, so
    // output follows the user's reading order: a root, then its imports.
    loader.loaded.files.sort_by_key(|(id, _)| *id);
    Ok(loader.loaded)
}

/// The project configuration of a build (docs/config.md): `egwc.toml` in the directory of
/// the first input (standard input: the working directory) or the nearest one above it, not
/// above the repository's root (the first directory with `.git`). Read as the editor holds
/// it, else from the disk, as a regular file of at most 1 MiB; added to `sources`, so that
/// its mistakes are shown in it.
pub fn config(
    inputs: &[Input],
    edited: &Edited,
    sources: &mut SourceMap,
) -> (crate::config::Config, Vec<Diagnostic>) {
    let start = match inputs.first() {
        Some(Input::Path(path)) => absolute(directory_of(path)),
        _ => absolute(Path::new(".")),
    };
    let mut dir = Some(normalize(&start));
    while let Some(d) = dir {
        let path = d.join(crate::config::FILE_NAME);
        let bytes = match edited.get(&path) {
            Some(text) => Some(Ok(text.clone().into_bytes())),
            None if path.exists() => Some(read_regular(&path, MAX_CONFIG_BYTES)),
            None => None,
        };
        match bytes {
            Some(Ok(bytes)) => {
                // Shown as the other files are: relative to the working directory.
                let cwd = std::env::current_dir()
                    .map(|c| normalize(&c))
                    .unwrap_or_default();
                let name = path
                    .strip_prefix(&cwd)
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                return match add_source(sources, name.clone(), name, path, bytes) {
                    Ok((file, text)) => crate::config::parse(file, &text),
                    Err(d) => (crate::config::Config::default(), vec![d]),
                };
            }
            Some(Err(e)) => {
                let file = sources.add(
                    path.display().to_string(),
                    path.display().to_string(),
                    path.clone(),
                    "".into(),
                );
                let d = Diagnostic::new(
                    Code::InvalidConfig,
                    Span::new(file, 0, 0),
                    format!("cannot read {}: {e}", path.display()),
                    "here",
                );
                return (crate::config::Config::default(), vec![d]);
            }
            None => {}
        }
        if d.join(".git").exists() {
            break;
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    (crate::config::Config::default(), Vec::new())
}

/// Whether a path a repository names (an egwc.toml root, a kustomize generator's file) is
/// relative and without `..`, so that, joined to its directory, it stays in it as written.
/// Symbolic links are checked where the file is opened (`project`, the loader).
pub fn stays_inside(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// The builds a directory stands for (`egwc check DIR`, docs/config.md): the `roots` of
/// DIR's own `egwc.toml`, each a build of its own, or else the `.egw` files directly in DIR,
/// together as one. Every file must stay in DIR once symbolic links are resolved, as DIR's
/// repository names them and not the user. A configuration that cannot be read names no
/// roots here: each build reads it again and reports why.
pub fn project(dir: &Path) -> Result<Vec<Vec<PathBuf>>, String> {
    let in_dir = |name: &Path| {
        if dir == Path::new(".") {
            name.to_path_buf()
        } else {
            dir.join(name)
        }
    };
    let roots = match read_regular(&dir.join(crate::config::FILE_NAME), MAX_CONFIG_BYTES) {
        Ok(bytes) => {
            crate::config::parse(FileId(0), &String::from_utf8_lossy(&bytes))
                .0
                .roots
        }
        Err(_) => Vec::new(),
    };
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", dir.display());
    let builds = if roots.is_empty() {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(cannot)? {
            let name = PathBuf::from(entry.map_err(cannot)?.file_name());
            if name.extension().is_some_and(|e| e == "egw") {
                files.push(in_dir(&name));
            }
        }
        if files.is_empty() {
            return Err(format!(
                "{} has no .egw file, and no {} naming `roots`",
                dir.display(),
                crate::config::FILE_NAME
            ));
        }
        files.sort();
        vec![files]
    } else {
        roots.iter().map(|r| vec![in_dir(r)]).collect()
    };
    let real_dir = std::fs::canonicalize(dir).map_err(cannot)?;
    for file in builds.iter().flatten() {
        match std::fs::canonicalize(file) {
            Ok(real) if real.starts_with(&real_dir) => {}
            Ok(_) => {
                return Err(format!(
                    "{}: a symbolic link out of {}",
                    file.display(),
                    dir.display()
                ));
            }
            Err(e) => return Err(format!("cannot read {}: {e}", file.display())),
        }
    }
    Ok(builds)
}

/// The file whose build takes in `path`, for the language server, which checks a file in
/// that build so that the names its importers define are known: the file that imports it,
/// or imports a file that does, and so on, as far as that goes. No directory above `within`
/// (the editor's workspace folder) is searched. `None` if no file imports it.
pub fn root_importing(path: &Path, edited: &Edited, within: Option<&Path>) -> Option<PathBuf> {
    let mut chain = vec![path.to_path_buf()];
    while chain.len() < 16 {
        let last = chain.last().expect("the chain starts with `path`");
        match importer_of(last, edited, within) {
            Some(importer) if !chain.contains(&importer) => chain.push(importer),
            _ => break,
        }
    }
    chain.into_iter().skip(1).last()
}

/// A `.egw` file that imports `path`: in its directory or up to three above (an import
/// cannot leave its root's directory), whose text names `path`'s file (read only then), the
/// nearest first, then by path.
fn importer_of(path: &Path, edited: &Edited, within: Option<&Path>) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let inside = |dir: &&Path| within.is_none_or(|w| dir.starts_with(w));
    for dir in path.ancestors().skip(1).take(4).take_while(inside) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut candidates: Vec<PathBuf> = entries
            .filter_map(|e| Some(e.ok()?.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "egw") && p != path)
            .collect();
        candidates.sort();
        for candidate in candidates {
            let names_it = match edited.get(&candidate) {
                Some(text) => text.contains(name),
                None => read_regular(&candidate, MAX_FILE_BYTES)
                    .is_ok_and(|t| String::from_utf8_lossy(&t).contains(name)),
            };
            if !names_it {
                continue;
            }
            let Ok(loaded) = load(&[Input::Path(candidate.clone())], edited, None) else {
                continue;
            };
            if loaded.sources.files().any(|(_, f)| f.path == path) {
                return Some(candidate);
            }
        }
    }
    None
}

/// A root file's bytes: any kind of file its user names (`<(…)` is a pipe), but never more
/// than the limit, counted as read (a device reports no size).
fn read_root(path: &Path) -> std::io::Result<Vec<u8>> {
    read_capped(std::fs::File::open(path)?, MAX_FILE_BYTES)
}

/// The bytes of a file that a project names (an import, a CA file): only a regular file, so
/// a FIFO cannot block the build nor a device fill memory, and at most `limit` bytes.
fn read_regular(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    // Checked before opening, as opening a FIFO blocks until a writer comes.
    ensure_regular(&std::fs::metadata(path)?)?;
    let file = std::fs::File::open(path)?;
    ensure_regular(&file.metadata()?)?; // what was opened, should the path have changed since
    read_capped(file, limit)
}

fn ensure_regular(meta: &std::fs::Metadata) -> std::io::Result<()> {
    if meta.is_file() {
        return Ok(());
    }
    let kind = file_kind(meta);
    Err(std::io::Error::other(format!(
        "it is {kind}, not a regular file"
    )))
}

#[cfg(unix)]
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    if meta.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

fn read_capped(file: std::fs::File, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::other(format!(
            "it is larger than {}",
            human_size(limit)
        )));
    }
    Ok(bytes)
}

fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{} GiB", b >> 30),
        b if b >= 1 << 20 => format!("{} MiB", b >> 20),
        b => format!("{b} bytes"),
    }
}

/// The directory of a file named on the command line; `.` for a bare file name, whose
/// parent is the empty path (which would make every path "inside" it).
fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Removes `.` and `..` components without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The UTF-8 byte order mark.
pub const BOM: &[u8] = b"\xef\xbb\xbf";

/// Adds a file's bytes to `sources`. Bytes that are not UTF-8 are added lossily, so the
/// error, which points at the first bad byte, can be shown against them.
pub fn add_source(
    sources: &mut SourceMap,
    name: String,
    in_project: String,
    path: PathBuf,
    mut bytes: Vec<u8>,
) -> Result<(FileId, Arc<str>), Diagnostic> {
    // A leading byte order mark (which some Windows editors write) is not part of the text.
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    let (text, utf8_error) = match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
        }
    };
    let text: Arc<str> = text.into();
    let file = sources.add(name, in_project, path, Arc::clone(&text));
    match utf8_error {
        None => Ok((file, text)),
        Some(at) => {
            let len = text[at..].chars().next().map_or(0, char::len_utf8);
            Err(Diagnostic::new(
                Code::InvalidUtf8,
                Span::new(file, at, at + len),
                "the file is not valid UTF-8",
                "this byte does not start a UTF-8 character",
            )
            .with_help("save the file as UTF-8"))
        }
    }
}

struct Loader<'e> {
    edited: &'e Edited,
    parses: Option<&'e syntax::Parses>,
    loaded: Loaded,
    /// Files already loaded (normalized absolute paths), so a file imported twice is read once.
    seen: HashSet<PathBuf>,
    /// The chain of files being loaded, to detect import cycles.
    stack: Vec<PathBuf>,
}

impl Loader<'_> {
    /// The text the editor holds for `path`, if it holds one: it wins over the disk.
    fn edited(&self, path: &Path) -> Option<Vec<u8>> {
        self.edited
            .get(&normalize(&absolute(path)))
            .map(|text| text.clone().into_bytes())
    }

    /// A file named on the command line: any kind of file its user names (`<(…)` too).
    fn read_root(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        self.edited(path).map_or_else(|| read_root(path), Ok)
    }

    /// An imported file: a regular file only.
    fn read_import(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        self.edited(path)
            .map_or_else(|| read_regular(path, MAX_FILE_BYTES), Ok)
    }

    /// A CA file: a regular file of PEM text.
    fn read_ca(&self, path: &Path) -> std::io::Result<String> {
        let bytes = match self.edited(path) {
            Some(bytes) if bytes.len() as u64 > MAX_CA_BYTES => {
                return Err(std::io::Error::other(format!(
                    "it is larger than {}",
                    human_size(MAX_CA_BYTES)
                )));
            }
            Some(bytes) => bytes,
            None => read_regular(path, MAX_CA_BYTES)?,
        };
        String::from_utf8(bytes).map_err(|_| std::io::Error::other("it is not UTF-8 text (PEM)"))
    }

    fn add(&mut self, name: String, path: PathBuf, root: &Root, bytes: Vec<u8>) {
        let path = normalize(&path);
        if !self.seen.insert(path.clone()) {
            return;
        }
        let in_project = match path.strip_prefix(&root.lexical) {
            Ok(relative) => slash_separated(relative),
            Err(_) => name.clone(), // `<stdin>` and the standard library's `std/…`
        };
        let sources = &mut self.loaded.sources;
        let (file, text) = match add_source(sources, name, in_project, path.clone(), bytes) {
            Ok(added) => added,
            Err(diag) => {
                self.loaded.diags.push(diag);
                return;
            }
        };
        let (ast, diags) = match self.parses {
            Some(parses) => parses.parse(&path, file, &text),
            None => syntax::parse(file, &text),
        };
        self.loaded.diags.extend(diags);
        self.stack.push(path.clone());
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        for item in &ast.items {
            match &item.node {
                ast::Item::Import(target) => self.import(file, &dir, root, target),
                ast::Item::Service(service) => self.ca_files(&dir, root, service),
                _ => {}
            }
        }
        self.stack.pop();
        self.loaded.files.push((file, ast));
    }

    /// Resolves `target` against `dir`, inside `root` as written and once symbolic links are
    /// resolved; reports and returns `None` otherwise.
    fn resolve(
        &mut self,
        dir: &Path,
        root: &Root,
        target: &ast::Str,
        what: &str,
    ) -> Option<PathBuf> {
        let raw = Path::new(&target.value);
        let resolved = normalize(&dir.join(raw));
        let outside = |label: String, help: String| {
            Diagnostic::new(
                Code::PathOutsideProject,
                target.span,
                format!("{what} `{}` is outside the project", target.value),
                label,
            )
            .with_help(help)
        };
        if raw.is_absolute() || !resolved.starts_with(&root.lexical) {
            self.loaded.diags.push(outside(
                "leaves the project's root directory".into(),
                format!(
                    "{what} paths are relative and stay inside the directory of the file \
given on the command line"
                ),
            ));
            return None;
        }
        if let Some(link) = link_out_of(&resolved, root) {
            let shown = slash_separated(link.strip_prefix(&root.lexical).unwrap_or(&link));
            let to = std::fs::read_link(&link)
                .map(|t| format!(" to `{}`", t.display()))
                .unwrap_or_default();
            self.loaded.diags.push(outside(
                format!("`{shown}` is a symbolic link{to}, out of the project's root directory"),
                "copy the file into the project instead of linking to it, or build from the \
directory that holds both"
                    .into(),
            ));
            return None;
        }
        Some(resolved)
    }

    fn import(&mut self, from: FileId, dir: &Path, root: &Root, target: &ast::Str) {
        if !target.holes.is_empty() {
            return; // a constant in the path is reported by the parser
        }
        if self.stack.len() >= MAX_IMPORT_DEPTH {
            self.loaded.diags.push(
                Diagnostic::new(
                    Code::ImportsTooDeep,
                    target.span,
                    format!("imports are nested more than {MAX_IMPORT_DEPTH} files deep"),
                    "this import is one level too deep",
                )
                .with_help("import the files from one file instead of each from the one before"),
            );
            return;
        }
        if target.value.starts_with(stdlib::PREFIX) {
            return self.import_std(root, target);
        }
        let Some(path) = self.resolve(dir, root, target, "import") else {
            return;
        };
        if let Some(at) = self.stack.iter().position(|p| *p == path) {
            let chain: Vec<String> = self.stack[at..]
                .iter()
                .chain(std::iter::once(&path))
                .map(|p| display_relative(p, &root.lexical))
                .collect();
            self.loaded.diags.push(
                Diagnostic::new(
                    Code::ImportCycle,
                    target.span,
                    format!("import cycle: {}", chain.join(" → ")),
                    "this import closes the cycle",
                )
                .with_help("move what both files need into a third file that both import"),
            );
            return;
        }
        if self.seen.contains(&path) {
            return;
        }
        match self.read_import(&path) {
            Ok(bytes) => {
                let importer = self.loaded.sources.get(from).name.clone();
                let name = display_name(&importer, &target.value);
                self.add(name, path, root, bytes);
            }
            Err(e) => self.loaded.diags.push(
                Diagnostic::new(
                    Code::FileNotFound,
                    target.span,
                    format!("cannot read imported file `{}`: {e}", target.value),
                    "imported here",
                )
                .with_help("import paths are relative to the file that contains the import"),
            ),
        }
    }

    /// `import "std/…"`: a module of the standard library, read from the binary.
    fn import_std(&mut self, root: &Root, target: &ast::Str) {
        let Some(module) = stdlib::module(&target.value) else {
            let modules: Vec<&str> = stdlib::MODULES.iter().map(|m| m.path).collect();
            let d = Diagnostic::new(
                Code::FileNotFound,
                target.span,
                format!("the standard library has no module `{}`", target.value),
                "imported here",
            )
            .did_you_mean(
                &target.value,
                target.span,
                modules.iter().map(|m| (*m, None)),
                Spelling::Quoted,
                || {
                    format!(
                        "the standard library has {}; to import a file of yours in a directory \
named `std`, write `./{}`",
                        modules.join(", "),
                        target.value
                    )
                },
            );
            self.loaded.diags.push(d);
            return;
        };
        let path = stdlib::source_path(module);
        if self.seen.contains(&path) {
            return; // a module is read once, like any file
        }
        self.add(
            module.path.to_string(),
            path,
            root,
            module.text.as_bytes().to_vec(),
        );
    }

    fn ca_files(&mut self, dir: &Path, root: &Root, service: &ast::Service) {
        for item in &service.items {
            let ast::ServiceItem::Tls(tls) = &item.node else {
                continue;
            };
            for t in tls {
                let ast::ServiceTlsItem::Ca(ast::CaSource::File(target)) = &t.node else {
                    continue;
                };
                if !target.holes.is_empty() {
                    continue; // a constant in the path is reported by the parser
                }
                let Some(path) = self.resolve(dir, root, target, "CA file") else {
                    continue;
                };
                let text = match self.read_ca(&path) {
                    Ok(text) => text,
                    Err(e) => {
                        self.loaded.diags.push(
                            Diagnostic::new(
                                Code::FileNotFound,
                                target.span,
                                format!("cannot read CA file `{}`: {e}", target.value),
                                "named here",
                            )
                            .with_help("CA file paths are relative to the file that names them"),
                        );
                        continue;
                    }
                };
                match pem::certificates(&text) {
                    Ok(certificates) => {
                        self.loaded.ca_files.insert(target.span, certificates);
                    }
                    Err(key) => self.loaded.diags.push(
                        Diagnostic::new(
                            Code::PrivateKeyInCaFile,
                            target.span,
                            format!(
                                "CA file `{}` holds a private key (`-----BEGIN {}-----`, line {})",
                                target.value, key.label, key.line
                            ),
                            "the key would be copied into a ConfigMap, which others can read",
                        )
                        .with_help(
                            "point to a file with the CA certificate alone (`openssl x509 \
-in combined.pem -out ca.pem` takes the first certificate out), and keep the key in a Secret",
                        ),
                    ),
                }
            }
        }
    }
}

/// The first symbolic link on the way from `root` to `path` (a path inside `root.lexical`)
/// that leads out of the root's real directory, if the resolved `path` is outside it.
fn link_out_of(path: &Path, root: &Root) -> Option<PathBuf> {
    let real = std::fs::canonicalize(path).ok()?; // a missing file is reported when read
    if real.starts_with(&root.real) {
        return None;
    }
    let relative = path.strip_prefix(&root.lexical).ok()?;
    let mut prefix = root.lexical.clone();
    for component in relative.components() {
        prefix.push(component);
        let is_link = std::fs::symlink_metadata(&prefix).is_ok_and(|m| m.is_symlink());
        let leaves = std::fs::canonicalize(&prefix).is_ok_and(|r| !r.starts_with(&root.real));
        if is_link && leaves {
            return Some(prefix);
        }
    }
    Some(path.to_path_buf()) // left through a link above the root's real path: name the file
}

/// A relative path with `/` between its parts on every platform, as written in output.
fn slash_separated(path: &Path) -> String {
    let parts: Vec<_> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    parts.join("/")
}

/// The name an imported file is shown under: the importer's directory joined with the import
/// path, so names stay relative to where the user ran egwc.
fn display_name(importer: &str, import: &str) -> String {
    let base = Path::new(importer).parent().unwrap_or(Path::new(""));
    normalize(&base.join(import)).display().to_string()
}

fn display_relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
