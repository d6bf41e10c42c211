//! The YAML writer for emitted objects: block style, two-space indentation, sequences at
//! their key's column, strings plain where a reader reads them back as the same string and
//! double-quoted otherwise. It writes exactly what serde-saphyr 2.2 writes with
//! `prefer_block_scalars: false` (its output was egwc's until this writer; the quoting rules
//! below are ported from its `src/ser/quoting.rs`, MIT OR Apache-2.0), for the subset of
//! serde's data model that Kubernetes objects use: maps and structs with string keys,
//! sequences, strings, integers, booleans and null. Anything else is an [`Error`].
//!
//! Why not serde-saphyr itself: it is a general serializer (anchors, tags, comments, flow
//! style, block scalars), and its per-scalar checks walk every string several times; this
//! writer decides a string's style in one pass over its bytes. `tests/yaml_writer.rs` holds
//! the two to the same bytes over generated values and hostile strings, and reads the output
//! back with serde-saphyr and PyYAML. `egwc krm` still writes with serde-saphyr: the items it
//! passes through may hold any YAML value (floats, say).

use std::fmt;

use serde::ser::{self, Serialize};

/// A value outside the subset this writer supports (a float, bytes, an enum variant with
/// data, a map key that is not a string).
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

fn unsupported<T>(what: &str) -> Result<T, Error> {
    Err(Error(format!("egwc's YAML writer does not write {what}")))
}

/// Appends `value` to `out` as one YAML document (without the `---` line).
pub fn write(out: &mut String, value: &(impl Serialize + ?Sized)) -> Result<(), Error> {
    value.serialize(Node { out, at: At::Root })
}

/// Where a node starts.
#[derive(Clone, Copy)]
enum At {
    /// At the start of the document.
    Root,
    /// After `key:`, the key at column `key`.
    Value { key: usize },
    /// After `- `, the dash at column `dash`.
    Item { dash: usize },
}

impl At {
    /// What separates the node's first character from what came before on its line.
    fn lead(self) -> &'static str {
        match self {
            At::Value { .. } => " ",
            At::Root | At::Item { .. } => "",
        }
    }
}

fn indent(out: &mut String, column: usize) {
    const SPACES: &str = "                                                                ";
    let mut left = column;
    while left > SPACES.len() {
        out.push_str(SPACES);
        left -= SPACES.len();
    }
    out.push_str(&SPACES[..left]);
}

struct Node<'a> {
    out: &'a mut String,
    at: At,
}

impl<'a> Node<'a> {
    fn scalar(self, text: &str) -> Result<(), Error> {
        self.out.push_str(self.at.lead());
        self.out.push_str(text);
        self.out.push('\n');
        Ok(())
    }

    fn integer(self, value: impl itoa::Integer) -> Result<(), Error> {
        self.scalar(itoa::Buffer::new().format(value))
    }

    fn mapping(self) -> Mapping<'a> {
        let column = match self.at {
            At::Root => 0,
            At::Value { key } => key + 2,
            At::Item { dash } => dash + 2,
        };
        Mapping(self.entries(column))
    }

    fn sequence(self) -> Sequence<'a> {
        let column = match self.at {
            At::Root => 0,
            // Compact: the dashes at the key's column.
            At::Value { key } => key,
            At::Item { dash } => dash + 2,
        };
        Sequence(self.entries(column))
    }

    fn entries(self, column: usize) -> Entries<'a> {
        Entries {
            out: self.out,
            at: self.at,
            column,
            first: true,
        }
    }
}

impl<'a> ser::Serializer for Node<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Sequence<'a>;
    type SerializeTuple = Sequence<'a>;
    type SerializeTupleStruct = Sequence<'a>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = Mapping<'a>;
    type SerializeStruct = Mapping<'a>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.scalar(if v { "true" } else { "false" })
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.integer(v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.integer(v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.integer(v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.integer(v)
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.integer(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.integer(v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.integer(v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.integer(v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.integer(v)
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.integer(v)
    }
    fn serialize_f32(self, _: f32) -> Result<(), Error> {
        unsupported("floating-point numbers")
    }
    fn serialize_f64(self, _: f64) -> Result<(), Error> {
        unsupported("floating-point numbers")
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.out.push_str(self.at.lead());
        string_value(self.out, v);
        self.out.push('\n');
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Error> {
        unsupported("bytes")
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.scalar("null")
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.scalar("null")
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.scalar("null")
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        unsupported("enum variants with data")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Sequence<'a>, Error> {
        Ok(self.sequence())
    }
    fn serialize_tuple(self, _: usize) -> Result<Sequence<'a>, Error> {
        Ok(self.sequence())
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Sequence<'a>, Error> {
        Ok(self.sequence())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        unsupported("enum variants with data")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Mapping<'a>, Error> {
        Ok(self.mapping())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Mapping<'a>, Error> {
        Ok(self.mapping())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        unsupported("enum variants with data")
    }
}

/// The entries of a block collection, each on a line of its own at `column` (a mapping's
/// keys, a sequence's dashes), the first one on the line its collection starts on unless
/// that line ends with `key:`. A collection without entries is written `empty` instead.
struct Entries<'a> {
    out: &'a mut String,
    at: At,
    column: usize,
    first: bool,
}

impl Entries<'_> {
    /// Starts the next entry's line.
    fn next(&mut self) {
        match (self.first, self.at) {
            (true, At::Value { .. }) => {
                self.out.push('\n');
                indent(self.out, self.column);
            }
            (true, At::Root | At::Item { .. }) => {}
            (false, _) => indent(self.out, self.column),
        }
        self.first = false;
    }

    fn end(self, empty: &str) -> Result<(), Error> {
        if self.first {
            self.out.push_str(self.at.lead());
            self.out.push_str(empty);
            self.out.push('\n');
        }
        Ok(())
    }
}

/// A block sequence: `- ` and each item; an empty one is `[]`.
struct Sequence<'a>(Entries<'a>);

impl Sequence<'_> {
    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.0.next();
        self.0.out.push_str("- ");
        let at = At::Item {
            dash: self.0.column,
        };
        value.serialize(Node {
            out: self.0.out,
            at,
        })
    }
}

/// serde's three sequence traits, one body.
macro_rules! sequence {
    ($($trait:ident::$method:ident),*) => {
        $(impl ser::$trait for Sequence<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.item(value)
            }
            fn end(self) -> Result<(), Error> {
                self.0.end("[]")
            }
        })*
    };
}

sequence!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

/// A block mapping: each key, `:` and its value; an empty one is `{}`.
struct Mapping<'a>(Entries<'a>);

impl Mapping<'_> {
    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.0.out.push(':');
        let at = At::Value { key: self.0.column };
        value.serialize(Node {
            out: self.0.out,
            at,
        })
    }
}

impl ser::SerializeMap for Mapping<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.0.next();
        key.serialize(Key { out: self.0.out })
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.value(value)
    }
    fn end(self) -> Result<(), Error> {
        self.0.end("{}")
    }
}

impl ser::SerializeStruct for Mapping<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.0.next();
        string_key(self.0.out, name);
        self.value(value)
    }
    fn end(self) -> Result<(), Error> {
        self.0.end("{}")
    }
}

/// Methods of [`Key`] for values that are not strings.
macro_rules! not_a_string {
    ($($method:ident($ty:ty)),*) => {
        $(fn $method(self, _: $ty) -> Result<(), Error> {
            unsupported("keys that are not strings")
        })*
    };
}

/// A mapping key: a string (or a type that serializes as one).
struct Key<'a> {
    out: &'a mut String,
}

impl ser::Serializer for Key<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        string_key(self.out, v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    not_a_string! {
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32),
        serialize_i64(i64), serialize_u8(u8), serialize_u16(u16), serialize_u32(u32),
        serialize_u64(u64), serialize_f32(f32), serialize_f64(f64)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Error> {
        unsupported("keys that are not strings")
    }
    fn serialize_none(self) -> Result<(), Error> {
        unsupported("keys that are not strings")
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Error> {
        unsupported("keys that are not strings")
    }
    fn serialize_unit(self) -> Result<(), Error> {
        unsupported("keys that are not strings")
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        unsupported("keys that are not strings")
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        unsupported("keys that are not strings")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        unsupported("keys that are not strings")
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        unsupported("keys that are not strings")
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        unsupported("keys that are not strings")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        unsupported("keys that are not strings")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        unsupported("keys that are not strings")
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        unsupported("keys that are not strings")
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        unsupported("keys that are not strings")
    }
}

// ---- Scalar styles ----

/// A string in value position: plain, single-quoted (`'.'`, `'#'`, `'-'`, as serde-saphyr
/// writes them) or double-quoted.
fn string_value(out: &mut String, s: &str) {
    if matches!(s, "." | "#" | "-") {
        out.push('\'');
        out.push_str(s);
        out.push('\'');
    } else if is_plain_value(s) {
        out.push_str(s);
    } else {
        double_quoted(out, s);
    }
}

/// A string in key position: plain only where it would also be plain in a flow mapping.
fn string_key(out: &mut String, s: &str) {
    if is_plain_key(s) {
        out.push_str(s);
    } else {
        double_quoted(out, s);
    }
}

/// Whether `s` reads back as the same string when written plain as a block value
/// (serde-saphyr's `is_plain_value_safe(s, yaml_12: false, in_flow: false)`).
fn is_plain_value(s: &str) -> bool {
    let bytes = s.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false; // "" reads as null
    };
    if first.is_ascii_whitespace() || last.is_ascii_whitespace() {
        return false;
    }
    if starts_ambiguous(first) && is_ambiguous(s, false) {
        return false;
    }
    if starts_with_document_marker(s) {
        return false;
    }
    match bytes {
        [b'-' | b'?'] | [b'-' | b'?', b' ', ..] => return false,
        [first, ..] if is_indicator(*first) => return false,
        _ => {}
    }
    let mut ascii = true;
    let mut previous = b'\0';
    for &b in bytes {
        match b {
            0x00..=0x1F | 0x7F => return false,
            0x80.. => ascii = false,
            // A comment starts at `#` after a space; a mapping value after `: `.
            b'#' if previous == b' ' => return false,
            b' ' if previous == b':' => return false,
            _ => {}
        }
        previous = b;
    }
    if ascii {
        last != b':'
    } else {
        // Unicode whitespace before `#` or at the end, and controls beyond ASCII.
        !s.chars().any(needs_escape) && !has_comment_start(s) && !s.trim().ends_with(':')
    }
}

/// Whether `s` can be written as a plain key (serde-saphyr's `is_plain_safe(s)` and
/// `is_plain_value_safe(s, false, true)`): as a value in flow style, and with no `:` at all.
fn is_plain_key(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes
        .iter()
        .any(|b| matches!(b, b':' | b',' | b'[' | b']' | b'{' | b'}'))
    {
        return false;
    }
    if !is_plain_value(s) {
        return false;
    }
    // Keys are checked against YAML 1.2's resolution too, and `<<` would be a merge key.
    !(starts_ambiguous(bytes[0]) && is_ambiguous(s, true)) && s != "<<"
}

fn is_indicator(b: u8) -> bool {
    matches!(
        b,
        b',' | b':'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

/// Whether a string starting with `b` may be one [`is_ambiguous`] accepts: a number, a
/// timestamp or one of the words. Others skip the full check.
fn starts_ambiguous(b: u8) -> bool {
    matches!(
        b,
        b'0'..=b'9'
            | b'+'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'<'
            | b'='
            | b'n'
            | b'N'
            | b't'
            | b'T'
            | b'f'
            | b'F'
            | b'i'
            | b'I'
            | b'y'
            | b'Y'
            | b'o'
            | b'O'
    )
}

/// The characters a plain or single-quoted scalar cannot hold.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{FEFF}' | '\u{2028}' | '\u{2029}' | '\u{FFFE}' | '\u{FFFF}'
        )
}

fn has_comment_start(s: &str) -> bool {
    s.match_indices('#')
        .any(|(i, _)| s[..i].chars().next_back().is_some_and(char::is_whitespace))
}

fn starts_with_document_marker(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("---").or_else(|| s.strip_prefix("...")) else {
        return false;
    };
    rest.is_empty() || rest.as_bytes()[0].is_ascii_whitespace()
}

/// The contents of a double-quoted scalar, escaped, between quotes.
fn double_quoted(out: &mut String, s: &str) {
    out.push('"');
    let mut plain_from = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '\\' => "\\\\",
            '"' => "\\\"",
            '\0' => "\\0",
            '\u{7}' => "\\a",
            '\u{8}' => "\\b",
            '\t' => "\\t",
            '\n' => "\\n",
            '\u{b}' => "\\v",
            '\u{c}' => "\\f",
            '\r' => "\\r",
            '\u{1b}' => "\\e",
            '\u{FEFF}' => "\\uFEFF",
            '\u{85}' => "\\N",
            '\u{2028}' => "\\L",
            '\u{2029}' => "\\P",
            c if needs_escape(c) => "",
            _ => continue,
        };
        out.push_str(&s[plain_from..i]);
        plain_from = i + c.len_utf8();
        if escape.is_empty() {
            use std::fmt::Write as _;
            let code = u32::from(c);
            // Writing to a String does not fail.
            let _ = if code <= 0xFF {
                write!(out, "\\x{code:02X}")
            } else {
                write!(out, "\\u{code:04X}")
            };
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(&s[plain_from..]);
    out.push('"');
}

// ---- Implicit typing (ported from serde-saphyr's quoting.rs) ----

/// Whether a YAML reader's implicit typing can read plain `s` as something other than this
/// string (null, a boolean, a number, a timestamp, a merge key), in YAML 1.2 or also 1.1.
fn is_ambiguous(s: &str, yaml_12: bool) -> bool {
    s.is_empty()
        || s == "~"
        || s.eq_ignore_ascii_case("null")
        || s.eq_ignore_ascii_case("true")
        || s.eq_ignore_ascii_case("false")
        || is_numeric(s, yaml_12)
        || s.eq_ignore_ascii_case("nan")
        || s.eq_ignore_ascii_case("inf")
        || s.eq_ignore_ascii_case("+inf")
        || s.eq_ignore_ascii_case("-inf")
        || (!yaml_12 && (is_yaml11_bool(s) || is_yaml11_timestamp(s) || matches!(s, "<<" | "=")))
}

fn is_yaml11_bool(s: &str) -> bool {
    let t = s.trim_matches([' ', '\t', '\r', '\n']);
    ["true", "yes", "y", "on", "false", "no", "n", "off"]
        .iter()
        .any(|word| t.eq_ignore_ascii_case(word))
}

/// Numeric syntax, without constructing a value.
fn is_numeric(s: &str, yaml_12: bool) -> bool {
    if !matches!(
        s.as_bytes().first(),
        Some(b'0'..=b'9' | b'+' | b'-' | b'.' | b'_')
    ) {
        return false;
    }
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if unsigned.eq_ignore_ascii_case(".inf") || unsigned.eq_ignore_ascii_case(".nan") {
        return true;
    }
    if !yaml_12 {
        if is_yaml11_sexagesimal(s) {
            return true;
        }
        if let Some((radix, digits)) = radix_digits(unsigned)
            && is_digit_run(digits, radix, false)
        {
            return true;
        }
    }
    // Go YAML removes underscores before numeric resolution.
    let normalized;
    let s = if !yaml_12 && s.contains('_') {
        normalized = s.replace('_', "");
        normalized.as_str()
    } else {
        s
    };
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if let Some((radix, digits)) = radix_digits(unsigned) {
        let digits = if !yaml_12 && (s.starts_with("0b") || s.starts_with("0o")) {
            digits.strip_prefix(['+', '-']).unwrap_or(digits)
        } else {
            digits
        };
        return is_digit_run(digits, radix, true);
    }
    let mantissa = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => {
            let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            if !is_digit_run(exponent, 10, true) {
                return false;
            }
            mantissa
        }
        None => unsigned,
    };
    match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            if !whole.is_empty() && !is_digit_run(whole, 10, true) {
                return false;
            }
            if !yaml_12 {
                fraction.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            } else if fraction.is_empty() {
                !whole.is_empty()
            } else {
                is_digit_run(fraction, 10, true)
            }
        }
        None => is_digit_run(mantissa, 10, true),
    }
}

fn radix_digits(s: &str) -> Option<(u32, &str)> {
    match s.as_bytes() {
        [b'0', b'b' | b'B', ..] => Some((2, &s[2..])),
        [b'0', b'o' | b'O', ..] => Some((8, &s[2..])),
        [b'0', b'x' | b'X', ..] => Some((16, &s[2..])),
        _ => None,
    }
}

fn is_digit_run(s: &str, radix: u32, strict_underscores: bool) -> bool {
    let is_digit = |b: u8| b.is_ascii() && char::from(b).is_digit(radix);
    let bytes = s.as_bytes();
    !bytes.is_empty()
        && bytes.iter().enumerate().all(|(i, &b)| {
            is_digit(b)
                || (b == b'_'
                    && (!strict_underscores
                        || (i > 0
                            && is_digit(bytes[i - 1])
                            && bytes.get(i + 1).is_some_and(|&next| is_digit(next)))))
        })
}

/// YAML 1.1 base-60 integers and floats (`1:30`).
fn is_yaml11_sexagesimal(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (unsigned, None),
    };
    let Some((first, rest)) = integer.split_once(':') else {
        return false;
    };
    let Some(first_digit) = first.as_bytes().first() else {
        return false;
    };
    if !first_digit.is_ascii_digit()
        || (fraction.is_none() && *first_digit == b'0')
        || !first.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return false;
    }
    if !rest.split(':').all(|part| match part.as_bytes() {
        [digit] => digit.is_ascii_digit(),
        [tens, units] => matches!(tens, b'0'..=b'5') && units.is_ascii_digit(),
        _ => false,
    }) {
        return false;
    }
    fraction.is_none_or(|part| part.bytes().all(|b| b.is_ascii_digit() || b == b'_'))
}

/// YAML 1.1 timestamp syntax, without calendar validation.
fn is_yaml11_timestamp(mut s: &str) -> bool {
    fn digits(s: &mut &str, min: usize, max: usize) -> bool {
        let len = s.bytes().take_while(u8::is_ascii_digit).count();
        if !(min..=max).contains(&len) {
            return false;
        }
        *s = &s[len..];
        true
    }
    fn prefix(s: &mut &str, ch: char) -> bool {
        if let Some(rest) = s.strip_prefix(ch) {
            *s = rest;
            true
        } else {
            false
        }
    }
    if !digits(&mut s, 4, 4)
        || !prefix(&mut s, '-')
        || !digits(&mut s, 1, 2)
        || !prefix(&mut s, '-')
        || !digits(&mut s, 1, 2)
    {
        return false;
    }
    if s.is_empty() {
        return true;
    }
    if let Some(rest) = s.strip_prefix(['T', 't']) {
        s = rest;
    } else {
        let rest = s.trim_start_matches([' ', '\t']);
        if rest.len() == s.len() {
            return false;
        }
        s = rest;
    }
    if !digits(&mut s, 1, 2)
        || !prefix(&mut s, ':')
        || !digits(&mut s, 1, 2)
        || !prefix(&mut s, ':')
        || !digits(&mut s, 1, 2)
    {
        return false;
    }
    if prefix(&mut s, '.') || prefix(&mut s, ',') {
        digits(&mut s, 0, usize::MAX);
    }
    s = s.trim_start_matches([' ', '\t']);
    if s.is_empty() || s == "Z" {
        return true;
    }
    if !(prefix(&mut s, '+') || prefix(&mut s, '-')) || !digits(&mut s, 1, 2) {
        return false;
    }
    if prefix(&mut s, ':') && !digits(&mut s, 2, 2) {
        return false;
    }
    s.is_empty()
}
