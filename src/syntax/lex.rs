//! The lexical layer every reader of `.egw` text shares: strings, comments and words as the
//! grammar (`grammar/egw.pest`) defines them, and what else is known of the grammar by hand:
//! its block keywords and rules, and the user's words for its rules. The formatter, the
//! recovery after a syntax error, the chunking of large files, the wording of syntax errors
//! and completion all read text through these, so they cannot disagree.

use super::Rule;

/// The length of the string literal at the start of `b` (which is `"`), quotes included. As
/// in the grammar, a `\` escapes the next byte, line break included; an unescaped line break
/// ends an unclosed string (a syntax error) before it; so does the end of `b`.
pub fn string_len(b: &[u8]) -> usize {
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'"' => return i + 1,
            b'\n' => return i,
            // An escaped character: its first byte is skipped, and the bytes of a multi-byte
            // character are never `"`, `\` or a line break.
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    b.len()
}

/// Whether the string literal at the start of `b` is closed by its quote.
pub fn string_closed(b: &[u8]) -> bool {
    let len = string_len(b);
    len >= 2 && b[len - 1] == b'"'
}

/// The length of the comment (`//`) at the start of `b`: up to its line break.
pub fn comment_len(b: &[u8]) -> usize {
    b.iter().position(|&c| c == b'\n').unwrap_or(b.len())
}

/// Whether `b` starts a comment.
pub fn is_comment(b: &[u8]) -> bool {
    b.starts_with(b"//")
}

/// A byte of a word: a keyword or a name (`[A-Za-z0-9_-]`).
pub fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// [`is_word_byte`], for a character.
pub fn is_word_char(c: char) -> bool {
    u8::try_from(c).is_ok_and(is_word_byte)
}

/// The length of the word at the start of `b`; 0 if none.
pub fn word_len(b: &[u8]) -> usize {
    b.iter().position(|&c| !is_word_byte(c)).unwrap_or(b.len())
}

/// Where a comment starts in one line of text that starts outside any string, if it has one.
pub fn comment_start(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => i += string_len(&b[i..]),
            b'/' if is_comment(&b[i..]) => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Where the string still open at the end of `line` starts (its opening quote), for a line
/// that starts outside any string; `None` when every string on it is closed, or it ends in a
/// comment.
pub fn open_string(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' if !string_closed(&b[i..]) => return Some(i),
            b'"' => i += string_len(&b[i..]),
            b'/' if is_comment(&b[i..]) => return None,
            _ => i += 1,
        }
    }
    None
}

/// The keywords that begin a top-level block; after a syntax error between blocks, parsing
/// resumes at the next line that starts with one of them.
pub const BLOCK_KEYWORDS: [&str; 9] = [
    "gateway", "service", "route", "filters", "test", "tcp", "udp", "tls", "grpc",
];

/// The keywords that open a block, top-level or nested.
pub const OPENING_KEYWORDS: [&str; 8] = [
    "gateway", "listener", "tls", "service", "route", "rule", "filters", "test",
];

/// The grammar rules that are blocks (`KEYWORD [NAME] { … }`).
pub fn is_block(r: Rule) -> bool {
    matches!(
        r,
        Rule::gateway
            | Rule::listener
            | Rule::listener_tls
            | Rule::service
            | Rule::service_tls
            | Rule::route
            | Rule::rule
            | Rule::filters
            | Rule::test
    )
}

/// The children of a block that make its header (`service NAME`, `tls`); every other child
/// is an item.
pub fn is_header(r: Rule) -> bool {
    matches!(
        r,
        Rule::name
            | Rule::kw_gateway
            | Rule::kw_listener
            | Rule::kw_tls
            | Rule::kw_service
            | Rule::kw_route
            | Rule::route_kind
            | Rule::kw_rule
            | Rule::kw_filters
            | Rule::kw_test
            // A test's name.
            | Rule::string
    )
}

/// The user's words for a grammar rule (several are separated by `|`), or `None` for rules
/// that never show up as expected.
pub fn describe(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::EOI => "the end of the file",
        Rule::name => "a name",
        Rule::string => "a string",
        Rule::integer => "a number",
        Rule::percent => "a percentage like `10%`",
        Rule::duration => "a duration like `10s`",
        Rule::op => "`=`|`~`",
        Rule::namespace_decl | Rule::kw_namespace => "`namespace`",
        Rule::import_decl | Rule::kw_import => "`import`",
        Rule::let_decl | Rule::kw_let => "`let`",
        Rule::gateway | Rule::kw_gateway => "`gateway`",
        Rule::service | Rule::kw_service => "`service`",
        Rule::route | Rule::kw_route => "`route`",
        Rule::route_kind | Rule::kw_tcp | Rule::kw_udp | Rule::kw_grpc => {
            "`tcp`|`udp`|`tls`|`grpc`"
        }
        Rule::service_cond => "`service`",
        Rule::filters | Rule::kw_filters => "`filters`",
        Rule::test | Rule::kw_test => "`test`",
        Rule::request_attr | Rule::kw_request => "`request`",
        Rule::request_value => "`header`",
        Rule::request_on => "`on`",
        Rule::expect_backends
        | Rule::expect_redirect
        | Rule::expect_status
        | Rule::expect_path
        | Rule::expect_host
        | Rule::expect_header
        | Rule::kw_expect => "`expect`",
        Rule::expect_backend => "a service name",
        Rule::use_attr | Rule::kw_use => "`use`",
        Rule::class_attr | Rule::kw_class => "`class`",
        Rule::target_attr | Rule::kw_target => "`target`",
        Rule::version => "a version like `1.20`",
        Rule::endpoint => "an endpoint string",
        Rule::kw_as => "`as`",
        Rule::host_rewrite => "`rewrite`",
        Rule::listener | Rule::kw_listener => "`listener`",
        Rule::listener_tls | Rule::service_tls | Rule::kw_tls => "`tls`",
        Rule::cert_attr | Rule::kw_cert => "`cert`",
        Rule::mode_attr | Rule::kw_mode => "`mode`",
        Rule::routes_attr | Rule::kw_routes => "`routes`",
        Rule::kw_from => "`from`",
        Rule::endpoint_attr | Rule::kw_endpoint | Rule::kw_endpoints => "`endpoint`",
        Rule::balance_attr | Rule::kw_balance => "`balance`",
        Rule::on_off => "`on`|`off`",
        Rule::ca_attr | Rule::kw_ca => "`ca`",
        Rule::san_attr | Rule::kw_san => "`san`",
        Rule::ca_file | Rule::kw_file => "`file`",
        Rule::ca_configmap | Rule::kw_configmap => "`configmap`",
        Rule::kw_system => "`system`",
        Rule::description_attr | Rule::kw_description => "`description`",
        Rule::on_attr | Rule::kw_on => "`on`",
        Rule::kw_off => "`off`",
        Rule::parent_ref => "a gateway name",
        Rule::host_attr | Rule::rewrite_host | Rule::redirect_host | Rule::kw_host => "`host`",
        Rule::rule | Rule::kw_rule => "`rule`",
        Rule::match_attr | Rule::kw_match => "`match`",
        Rule::path_cond | Rule::path_value | Rule::kw_path => "`path`",
        Rule::header_cond | Rule::kw_header => "`header`",
        Rule::query_cond | Rule::kw_query => "`query`",
        Rule::method_cond | Rule::kw_method => "`method`",
        Rule::backends | Rule::arrow => "`->`",
        Rule::backend => "a service name",
        Rule::request_header => "`set`|`add`|`remove`",
        Rule::set_header | Rule::kw_set => "`set`",
        Rule::add_header | Rule::kw_add => "`add`",
        Rule::remove_header | Rule::kw_remove => "`remove`",
        Rule::response_header | Rule::kw_response => "`response`",
        Rule::rewrite | Rule::kw_rewrite => "`rewrite`",
        Rule::redirect | Rule::kw_redirect => "`redirect`",
        Rule::scheme | Rule::kw_http | Rule::kw_https => "`http`|`https`",
        Rule::redirect_port | Rule::port_attr | Rule::kw_port => "`port`",
        Rule::redirect_status | Rule::kw_status => "`status`",
        Rule::kw_prefix => "`prefix`",
        Rule::mirror | Rule::kw_mirror => "`mirror`",
        Rule::timeout_attr | Rule::kw_timeout => "`timeout`",
        Rule::kw_backend => "`backend`",
        Rule::protocol_attr | Rule::kw_protocol => "`protocol`",
        Rule::hostname_attr | Rule::kw_hostname => "`hostname`",
        Rule::label_attr | Rule::kw_label => "`label`",
        Rule::annotation_attr | Rule::kw_annotation => "`annotation`",
        Rule::file
        | Rule::WHITESPACE
        | Rule::COMMENT
        | Rule::item
        | Rule::gateway_item
        | Rule::listener_item
        | Rule::service_item
        | Rule::route_item
        | Rule::filters_item
        | Rule::rule_item
        | Rule::header_action
        | Rule::listener_tls_item
        | Rule::service_tls_item
        | Rule::word_char
        | Rule::gateway_rest
        | Rule::listener_rest
        | Rule::listener_tls_rest
        | Rule::service_rest
        | Rule::service_tls_rest
        | Rule::route_rest
        | Rule::rule_rest
        | Rule::filters_rest
        | Rule::test_item
        | Rule::test_rest => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_end_as_the_grammar_ends_them() {
        assert_eq!(string_len(br#""a\"b" c"#), 6);
        assert_eq!(
            string_len(b"\"open\nnext"),
            5,
            "a line break ends an open string"
        );
        assert_eq!(
            string_len(b"\"a\\\nb\" c"),
            6,
            "an escaped line break does not"
        );
        assert_eq!(string_len(b"\"open"), 5);
        assert!(string_closed(b"\"x\""));
        assert!(!string_closed(b"\"x"));
        assert!(!string_closed(b"\""));
    }

    #[test]
    fn comments_and_open_strings_are_found_outside_strings() {
        assert_eq!(comment_start(r#"x "a // b" // c"#), Some(11));
        assert_eq!(comment_start("x"), None);
        assert_eq!(open_string(r#"a "b" "c"#), Some(6));
        assert_eq!(open_string(r#"a "b" // "c"#), None);
    }

    #[test]
    fn words_are_names_and_keywords() {
        assert_eq!(word_len(b"pve-1_a.b"), 7);
        assert!(is_word_char('-') && !is_word_char('.') && !is_word_char('é'));
    }
}
