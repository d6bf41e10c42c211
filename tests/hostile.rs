//! Hostile input never panics: it gets a diagnostic or a clean result.

use std::path::PathBuf;

use egwc::load::Input;
use proptest::prelude::*;

fn compile(bytes: Vec<u8>) -> egwc::Compilation {
    egwc::compile(&[Input::Stdin(bytes)], &egwc::Options::default()).unwrap()
}

fn codes(c: &egwc::Compilation) -> Vec<&'static str> {
    c.diagnostics.iter().map(|d| d.code.info().code).collect()
}

#[test]
fn empty_file_is_a_clean_empty_result() {
    let c = compile(Vec::new());
    assert!(c.diagnostics.is_empty());
    assert!(c.manifests.unwrap().is_empty());
}

#[test]
fn invalid_utf8_is_diagnosed() {
    let c = compile(b"service a { endpoint \"\xff\xfe\" }".to_vec());
    assert_eq!(codes(&c), ["E0002"]);
}

#[test]
fn nul_byte_is_a_syntax_error() {
    let c = compile(b"gateway g {\0}".to_vec());
    assert_eq!(codes(&c), ["E0001"]);
}

#[test]
fn deep_nesting_is_a_syntax_error() {
    let c = compile(
        "gateway g "
            .to_string()
            .into_bytes()
            .into_iter()
            .chain("{".repeat(10_000).into_bytes())
            .collect(),
    );
    assert_eq!(codes(&c), ["E0001"]);
    let c = compile("route r { rule { ".repeat(5_000).into_bytes());
    assert_eq!(codes(&c), ["E0001"]);
}

#[test]
fn a_100k_character_string_is_checked() {
    let long = "a".repeat(100_000);
    let c = compile(format!("service a {{ endpoint \"{long}.example.com\" }}").into_bytes());
    assert_eq!(codes(&c), ["E0209"]);
}

#[test]
fn a_chain_of_100k_constants_resolves_and_a_long_cycle_is_one_error() {
    let mut text = String::from("let c0 = \"a.example.com\"\n");
    for i in 1..100_000 {
        text.push_str(&format!("let c{i} = \"${{c{}}}\"\n", i - 1));
    }
    text.push_str("service s { endpoint \"${c99999}\" }\n");
    let c = compile(text.into_bytes());
    // The endpoint came out as the DNS name: ExternalName, which not every controller routes.
    assert_eq!(codes(&c), ["W0502"]);

    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&format!("let c{i} = \"${{c{}}}\"\n", (i + 1) % 10_000));
    }
    let c = compile(text.into_bytes());
    assert_eq!(codes(&c), ["E0108"]);
}

#[test]
fn a_mistake_on_every_line_is_reported_on_every_line() {
    let text = format!("service a {{\n{}}}\n", "  prot HTTP\n".repeat(5_000));
    let c = compile(text.into_bytes());
    assert_eq!(codes(&c), vec!["E0001"; 5_000]);
}

#[test]
fn a_10_mb_file_compiles() {
    let mut text =
        String::from("gateway g { class \"cilium\" listener http { port 80 protocol HTTP } }\n");
    let mut i = 0;
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(&format!(
            "service s{i} {{ endpoints \"10.0.{}.{}:8080\" \"10.1.{}.{}:8080\" }}\nroute r{i} {{ on g host \"r{i}.example.com\" rule {{ match path \"/api\" header \"x-tenant\" = \"t{i}\" -> s{i} 90, s{i} 10 }} }}\n",
            i / 250 % 250, i % 250, i / 250 % 250, i % 250
        ));
        i += 1;
    }
    let path: PathBuf = tempfile::tempdir().unwrap().keep().join("big.egw");
    std::fs::write(&path, &text).unwrap();
    let c = egwc::compile(&[Input::Path(path)], &egwc::Options::default()).unwrap();
    assert!(!c.has_errors(), "{:?}", c.diagnostics.first());
    assert!(c.manifests.unwrap().len() > i);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Any bytes: no panic, and a failed parse always says why.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let c = compile(bytes);
        prop_assert!(c.manifests.is_some() || !c.diagnostics.is_empty());
    }

    /// Text made of the language's own tokens, shuffled: no panic.
    #[test]
    fn token_soup_never_panics(tokens in prop::collection::vec(prop::sample::select(vec![
        "gateway", "service", "route", "rule", "listener", "{", "}", "->", ",", "match", "path",
        "header", "=", "~", "\"/x\"", "\"a.example.com\"", "80", "on", "g", "s", "tls", "port",
        "protocol", "HTTP", "endpoint", "\"10.0.0.1\"", "class", "\"c\"", "10s", "timeout", ".",
        "let", "\"${g}\"", "\"${\"", "filters", "use", "response", "set",
    ]), 0..60)) {
        let c = compile(tokens.join(" ").into_bytes());
        prop_assert!(c.manifests.is_some() || !c.diagnostics.is_empty());
    }
}

#[test]
fn a_multi_byte_character_at_a_recovery_window_edge_is_no_panic() {
    // A syntax error, then more than 4 KiB of text made of multi-byte characters, shifted
    // byte by byte, so one falls across the edge of the first window the recovery parses.
    for pad in 0..4 {
        let mut text = String::from("gateway g { frob }\n//");
        text.push_str(&" ".repeat(pad));
        text.push_str(&"€".repeat(2000));
        text.push('\n');
        let c = compile(text.into_bytes());
        assert_eq!(codes(&c), ["E0001"]);
    }
}

#[test]
fn constants_that_double_are_refused_without_being_worked_out() {
    // 40 doublings in under 1 KB: 2^40 bytes if written out, even unused.
    let mut text = String::from("let a0 = \"x\"\n");
    for i in 1..40 {
        text.push_str(&format!("let a{i} = \"${{a{p}}}${{a{p}}}\"\n", p = i - 1));
    }
    let c = compile(text.clone().into_bytes());
    assert_eq!(codes(&c), ["E0109"]);
    // Many uses of a constant under the limit: refused once they pass the build's total.
    text.push_str("service api {\n  endpoint \"10.0.0.1:80\"\n");
    for i in 0..3000 {
        text.push_str(&format!("  annotation \"x{i}\" = \"${{a15}}\"\n"));
    }
    text.push_str("}\n");
    let c = compile(text.into_bytes());
    let total = c
        .diagnostics
        .iter()
        .filter(|d| d.code.info().code == "E0109");
    let messages: Vec<&str> = total.map(|d| d.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[1].contains("64 MiB in all"), "{messages:?}");
}

/// Inputs the fuzzers (scripts/fuzz.sh) or the reliability pass once crashed on: each
/// compiles without a panic, formats to a fixed point when it parses, and imports.
#[test]
fn every_input_that_once_crashed_is_handled() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    for input in inputs {
        let bytes = std::fs::read(&input).unwrap();
        let c = compile(bytes.clone());
        let human = egwc::diagnostics::render_human(
            &c.sources,
            &c.diagnostics,
            egwc::diagnostics::Style::Plain,
        );
        // Bounded output, as the fuzz target holds it: at most 50 diagnostics a file are
        // drawn, from bounded excerpts.
        assert!(
            human.len() <= 64 * 1024 + 1200 * egwc::diagnostics::MAX_DRAWN_PER_FILE,
            "{}: {} bytes of diagnostics",
            input.display(),
            human.len()
        );
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        if let Ok(formatted) = egwc::syntax::format(egwc::source::FileId(0), &text) {
            let again = egwc::syntax::format(egwc::source::FileId(0), &formatted);
            assert_eq!(again.as_ref(), Ok(&formatted), "{}", input.display());
        }
        // The `import` target's inputs: imported as either source without a panic.
        for source in [egwc::import::Source::Chart, egwc::import::Source::Manifests] {
            let input = egwc::import::Input {
                name: "fuzz.yaml".to_string(),
                text: text.clone(),
            };
            let _ = egwc::import::import(&[input], Some(source), false);
        }
    }
}
