//! What the fuzz targets check, shared by them: the whole compile never panics and renders
//! its diagnostics, and the formatter's output re-parses, is a fixed point, keeps every
//! comment and builds what its input builds. `program` makes structured programs from the
//! grammar's blocks, so the fuzzer reaches the checker and emission, not only the parser.

pub mod program;

use egwc::diagnostics::{self, Style};
use egwc::emit::{self, Format, SOURCE_ANNOTATION};
use egwc::load::Input;
use egwc::source::FileId;

/// Compiles `bytes` as standard input (imports resolve from the working directory: run the
/// fuzzer in an empty one), renders every diagnostic both ways, and serializes the objects.
pub fn compile(bytes: &[u8]) {
    let options = egwc::Options::default();
    let c = egwc::compile(&[Input::Stdin(bytes.to_vec())], &options)
        .expect("standard input is always read");
    let human = diagnostics::render_human(&c.sources, &c.diagnostics, Style::Plain);
    // Bounded output: at most 50 diagnostics a file are drawn, from bounded excerpts.
    assert!(human.len() <= 64 * 1024 + 1200 * diagnostics::MAX_DRAWN_PER_FILE);
    diagnostics::machine::json(diagnostics::machine::items(&c.sources, &c.diagnostics));
    assert_eq!(c.manifests.is_some(), !c.has_errors());
    if let Some(m) = &c.manifests {
        emit::to_stream(m, Format::Yaml);
        emit::to_stream(m, Format::Json);
    }
}

/// What a text builds, without the source lines (which formatting moves): the diagnostics'
/// codes and messages, and the YAML.
fn build(text: &str) -> (Vec<String>, Option<String>) {
    let options = egwc::Options::default();
    let c = egwc::compile(&[Input::Stdin(text.as_bytes().to_vec())], &options)
        .expect("standard input is always read");
    let diags = c
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.code.info().code, d.message))
        .collect();
    let yaml = c.manifests.as_deref().map(|m| {
        emit::to_stream(m, Format::Yaml)
            .lines()
            .filter(|l| !l.contains(SOURCE_ANNOTATION))
            .collect::<Vec<_>>()
            .join("\n")
    });
    (diags, yaml)
}

/// Formats `text`; when it parses, the result must parse, be a fixed point, keep every
/// comment in order, and build the same objects and diagnostics.
pub fn format(text: &str) {
    let Ok(formatted) = egwc::syntax::format(FileId(0), text) else {
        return;
    };
    let again = egwc::syntax::format(FileId(0), &formatted)
        .unwrap_or_else(|e| panic!("formatted text does not parse: {e:?}\n{formatted}"));
    assert_eq!(again, formatted, "formatting is not a fixed point");
    assert_eq!(
        comments(text),
        comments(&formatted),
        "comments changed:\n{formatted}"
    );
    assert_eq!(
        build(text),
        build(&formatted),
        "the build changed:\n{formatted}"
    );
}

/// The comments of text that parses, in order, without trailing spaces.
fn comments(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|line| Some(line[comment_start(line)?..].trim_end()))
        .collect()
}

/// Where a comment starts in one line of text that parses.
fn comment_start(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Any text imported as the chart's values and as Kubernetes objects: the import never
/// panics, and what it writes is formatted `.egw` that compiles without a panic.
pub fn import(text: &str) {
    use egwc::import::{Input as ImportInput, Source};
    // The same YAML as a kustomize generator's input (`egwc krm`): read, and when it is a
    // ResourceList, its items written back, without a panic.
    if let Ok(input) = egwc::krm::read_resource_list(text) {
        input.respond(&[], &egwc::source::SourceMap::default(), &[]);
    }
    let _ = egwc::krm::read_config(text);
    for source in [Source::Chart, Source::Manifests] {
        let input = ImportInput {
            name: "fuzz.yaml".to_string(),
            text: text.to_string(),
        };
        if let Ok(imported) = egwc::import::import(&[input], Some(source), false) {
            let formatted = egwc::syntax::format(FileId(0), &imported.egw)
                .expect("an import writes text that parses");
            assert_eq!(formatted, imported.egw, "an import writes formatted text");
            compile(imported.egw.as_bytes());
        }
    }
}

/// A program's objects, imported: the import of what egwc builds never fails, and builds.
pub fn import_built(program: &str) {
    let c = egwc::compile(
        &[Input::Stdin(program.as_bytes().to_vec())],
        &egwc::Options::default(),
    )
    .expect("standard input is always read");
    let Some(manifests) = &c.manifests else {
        return;
    };
    let yaml = emit::to_stream(manifests, Format::Yaml);
    import(&yaml);
}
