//! The formatter (`egwc fmt`): golden layouts, and the two properties every input must have:
//! formatting is a fixed point, and formatting never changes what a file builds.
//!
//! Goldens are `tests/format/<name>.egw` with the expected layout in
//! `<name>.formatted.egw`; regenerate with `UPDATE_EXPECT=1 cargo test --test fmt`.

use std::path::{Path, PathBuf};

use egwc::diagnostics::Diagnostic;
use egwc::emit::{self, Format, SOURCE_ANNOTATION};
use egwc::load::Input;
use egwc::source::FileId;
use proptest::prelude::*;

mod common;
use common::{all_egw_files, egw_files};

fn format(text: &str) -> Result<String, Vec<Diagnostic>> {
    egwc::syntax::format(FileId(0), text)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn layouts_match_their_golden_files() {
    let mut failures = Vec::new();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(root().join("tests/format"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".egw"))
        .filter(|p| !p.to_string_lossy().ends_with(".formatted.egw"))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 4, "the format goldens are missing");
    for input in inputs {
        let text = std::fs::read_to_string(&input).unwrap();
        let actual =
            format(&text).unwrap_or_else(|d| panic!("{}: {}", input.display(), d[0].message));
        let expected_path = input.with_extension("formatted.egw");
        let expected = std::fs::read_to_string(&expected_path).ok();
        if expected.as_deref() == Some(actual.as_str()) {
            continue;
        }
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::write(&expected_path, &actual).unwrap();
        } else {
            failures.push(format!(
                "{}: differs\n--- expected\n{}\n--- actual\n{actual}",
                expected_path.display(),
                expected.unwrap_or_default()
            ));
        }
        assert_eq!(
            format(&actual).unwrap(),
            actual,
            "{}: not a fixed point",
            input.display()
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn examples_and_the_stdlib_are_formatted() {
    let files: Vec<PathBuf> = ["examples", "stdlib"]
        .iter()
        .flat_map(|dir| all_egw_files(&root().join(dir)))
        .collect();
    let unformatted: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            format(&text).unwrap() != text
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        unformatted.is_empty(),
        "not formatted (run `egwc fmt examples stdlib`): {unformatted:?}"
    );
}

#[test]
fn text_that_does_not_parse_is_refused_with_the_syntax_error() {
    let errors = format("service api {\n  endpoint \"10.0.0.1\"\n").unwrap_err();
    let [err] = errors.as_slice() else {
        panic!("one error expected: {errors:?}");
    };
    assert_eq!(err.code, egwc::diagnostics::Code::SyntaxError);
    assert_eq!(
        err.primary_span().start as usize,
        "service api {\n  endpoint \"10.0.0.1\"\n".len()
    );
}

/// What a build of `root` (a file in `dir`) produces, with everything that depends on line
/// numbers taken out: the source annotations, and the positions of diagnostics.
fn build_summary(root: &Path) -> (Vec<String>, String) {
    let c = egwc::compile(
        &[Input::Path(root.to_path_buf())],
        &egwc::Options::default(),
    )
    .unwrap();
    let diagnostics = c
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.code.info().code, d.message))
        .collect();
    let manifests = c.manifests.as_deref().map_or(String::new(), |m| {
        emit::to_stream(m, Format::Yaml)
            .lines()
            .filter(|l| !l.contains(SOURCE_ANNOTATION))
            .collect::<Vec<_>>()
            .join("\n")
    });
    (diagnostics, manifests)
}

/// Copies the directory of `root` into a temporary one, passing every `.egw` file in it
/// through `rewrite` (files that do not parse are copied as they are), and returns the path of
/// `root`'s copy.
fn rewritten_copy(root: &Path, rewrite: &dyn Fn(&str) -> String) -> (tempfile::TempDir, PathBuf) {
    let dir = root.parent().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(dir, tmp.path(), rewrite);
    let copy = tmp.path().join(root.file_name().unwrap());
    (tmp, copy)
}

fn copy_dir(from: &Path, to: &Path, rewrite: &dyn Fn(&str) -> String) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target, rewrite);
        } else if path.extension().is_some_and(|e| e == "egw")
            && let Ok(text) = std::fs::read_to_string(&path)
            && format(&text).is_ok()
        {
            std::fs::write(&target, rewrite(&text)).unwrap();
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Every example and golden case that parses.
fn corpus() -> Vec<PathBuf> {
    let mut roots = Vec::new();
    egw_files(&root().join("examples"), &mut roots);
    egw_files(&root().join("tests/cases"), &mut roots);
    roots
        .into_iter()
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| format(&t).is_ok()))
        .collect()
}

fn check_formatting_preserves_the_build(root: &Path, rewrite: &dyn Fn(&str) -> String) {
    let (_tmp, copy) = rewritten_copy(root, rewrite);
    let text = std::fs::read_to_string(&copy).unwrap();
    let formatted = format(&text).unwrap();
    assert_eq!(
        format(&formatted).unwrap(),
        formatted,
        "{}: formatting is not a fixed point",
        root.display()
    );
    assert_eq!(
        comments(&formatted),
        comments(&text),
        "{}: formatting lost or changed a comment",
        root.display()
    );
    let (_tmp2, formatted_copy) = rewritten_copy(&copy, &|t| {
        format(t).expect("a rewritten file still parses")
    });
    assert_eq!(
        build_summary(&formatted_copy),
        build_summary(root),
        "{}: the formatted files build differently",
        root.display()
    );
}

#[test]
fn formatting_every_example_and_case_is_a_fixed_point_and_builds_the_same() {
    let corpus = corpus();
    assert!(corpus.len() > 50, "the corpus is missing");
    for root in &corpus {
        check_formatting_preserves_the_build(root, &|t| t.to_string());
    }
}

/// The gaps between tokens of `text` (runs of spaces, tabs and line breaks outside strings and
/// comments), as byte ranges, and whether a comment ends where the gap starts.
fn gaps(text: &str) -> Vec<(usize, usize, bool)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => i = after_string(b, i),
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b' ' | b'\t' | b'\r' | b'\n' => {
                let start = i;
                let line = &text[text[..start].rfind('\n').map_or(0, |n| n + 1)..start];
                let after_comment = comment_start(line).is_some();
                while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
                    i += 1;
                }
                out.push((start, i, after_comment));
            }
            _ => i += 1,
        }
    }
    out
}

/// The index after the string literal that starts at `b[i]`.
fn after_string(b: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < b.len() && b[i] != b'"' {
        i += if b[i] == b'\\' { 2 } else { 1 };
    }
    i + 1
}

/// Where a comment starts in one line of valid text, if it has one.
fn comment_start(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => i = after_string(b, i),
            b'/' if b.get(i + 1) == Some(&b'/') => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The comments of valid text, in order, without trailing spaces.
fn comments(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|line| Some(line[comment_start(line)?..].trim_end()))
        .collect()
}

/// Replaces the gaps of `text` by other whitespace and comments, chosen by `choices`. A gap
/// after a comment keeps a line break.
fn scramble(text: &str, choices: &[u8]) -> String {
    const FILLERS: [&str; 8] = [
        " ",
        "  ",
        "\n",
        "\n\n\n",
        "\t",
        " \r\n  ",
        " // c\n",
        "\n// own line\n\n",
    ];
    let mut out = String::with_capacity(text.len() * 2);
    let mut at = 0;
    for (n, (start, end, after_comment)) in gaps(text).into_iter().enumerate() {
        out.push_str(&text[at..start]);
        let filler = FILLERS[usize::from(choices[n % choices.len()]) % FILLERS.len()];
        if after_comment && !filler.contains('\n') {
            out.push('\n');
        }
        out.push_str(filler);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any re-spacing of a valid file, with comments dropped into it, formats to a fixed point
    /// that builds what the original builds.
    #[test]
    fn any_layout_formats_to_a_fixed_point_with_the_same_build(
        pick in any::<prop::sample::Index>(),
        choices in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        let corpus = corpus();
        let root = pick.get(&corpus);
        check_formatting_preserves_the_build(root, &|t| scramble(t, &choices));
    }
}
