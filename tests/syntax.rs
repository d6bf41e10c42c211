//! The grammar's tokens against their definitions in docs/language.md, over generated text.

use egwc::diagnostics::Code;
use egwc::source::FileId;
use egwc::syntax;
use proptest::prelude::*;

/// A string literal as docs/language.md defines it: between double quotes, any character but
/// `"`, `\` and a line break, or `\` and any character.
fn is_string_body(body: &str) -> bool {
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.next().is_none() => return false,
            '"' | '\n' => return false,
            _ => {}
        }
    }
    true
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The `string` rule (written for speed as runs between escapes) reads exactly the
    /// literals of the definition: text that is one is no syntax error where a string goes,
    /// and text that is not is one.
    #[test]
    fn string_literals_are_what_the_definition_says(
        body in proptest::collection::vec(
            proptest::sample::select(vec!['a', 'é', ' ', '\t', '"', '\\', '\n', 'n']),
            0..10,
        ).prop_map(|chars| chars.into_iter().collect::<String>())
    ) {
        let text = format!(
            "service s {{\n  description \"{body}\"\n  endpoints \"a.example.internal\"\n  port 80\n}}\n"
        );
        let (_, diags) = syntax::parse(FileId(0), &text);
        let syntax_error = diags.iter().any(|d| d.code == Code::SyntaxError);
        prop_assert_eq!(syntax_error, !is_string_body(&body), "{:?}", text);
    }
}
