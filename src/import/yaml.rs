//! YAML with the line of every value, for `egwc import`: its errors and notes point at the
//! input's lines. A [`Node`] tree is read with serde-saphyr (YAML 1.2 booleans, its alias and
//! size budgets), and an [`Obj`] reads a mapping field by field, so that the fields nobody
//! asked for can be listed: what has no `.egw` form is reported, never dropped in silence.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// A YAML value and the line it starts on (1-based; 0 when unknown).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub line: u64,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// The value as YAML would print a scalar, for messages.
    pub fn scalar_text(&self) -> String {
        match &self.value {
            Value::Null => "null".to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Str(s) => format!("{s:?}"),
            Value::List(_) => "a list".to_string(),
            Value::Map(_) => "a mapping".to_string(),
        }
    }
}

/// Every document of a YAML text. A syntax error says its line.
pub fn parse(text: &str) -> Result<Vec<Node>, String> {
    let mut options = serde_saphyr::Options::default();
    // YAML 1.2's booleans only: `n` or `on` is a string, as a name or a label may be.
    options.strict_booleans = true;
    let documents: Vec<Option<Spanned<Value>>> =
        serde_saphyr::from_multiple_with_options(text, options).map_err(|e| {
            let message = e.to_string();
            let first = message.lines().next().unwrap_or_default();
            let first = first.strip_prefix("error: ").unwrap_or(first).to_string();
            match e.location() {
                Some(at) if !first.contains("line") => format!("line {}: {first}", at.line()),
                _ => first,
            }
        })?;
    Ok(documents
        .into_iter()
        .flatten()
        .map(|s| Node {
            line: s.referenced.line(),
            value: s.value,
        })
        .collect())
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(d)?;
        Ok(Node {
            line: spanned.referenced.line(),
            value: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i))
    }
    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        i64::try_from(u)
            .map(Value::Int)
            .map_err(|_| E::custom(format!("{u} is too large")))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Float(f))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::Str(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::Str(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries: Vec<(String, Node)> = Vec::new();
        while let Some(key) = map.next_key::<Value>()? {
            let key = match key {
                Value::Str(s) => s,
                Value::Int(i) => i.to_string(),
                Value::Bool(b) => b.to_string(),
                other => return Err(de::Error::custom(format!("a key is {other:?}"))),
            };
            let value = map.next_value::<Node>()?;
            match entries.iter_mut().find(|(k, _)| *k == key) {
                Some(entry) => entry.1 = value,
                None => entries.push((key, value)),
            }
        }
        Ok(Value::Map(entries))
    }
}

/// What an import found that it could not carry over, or that changes on migration: a line
/// of the input (0 when unknown), the object and field, and what happens.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Note {
    pub file: String,
    pub line: u64,
    pub at: String,
    pub message: String,
    /// A warning: something of the input is not carried over. Otherwise a note: it is, and
    /// what it does changes on migration, or a decision was made.
    pub warning: bool,
}

/// The notes of one import. Each is of the file being read when it is made ([`Notes::file`]).
#[derive(Default)]
pub struct Notes {
    notes: RefCell<Vec<Note>>,
    file: RefCell<String>,
}

impl Notes {
    /// The file the notes that follow are about.
    pub fn file(&self, name: &str) {
        name.clone_into(&mut self.file.borrow_mut());
    }

    /// Something of the input that is not carried over.
    pub fn warn(&self, line: u64, at: impl Into<String>, message: impl Into<String>) {
        self.push(line, at.into(), message.into(), true);
    }

    /// A decision, or a difference the migration makes.
    pub fn note(&self, line: u64, at: impl Into<String>, message: impl Into<String>) {
        self.push(line, at.into(), message.into(), false);
    }

    fn push(&self, line: u64, at: String, message: String, warning: bool) {
        self.notes.borrow_mut().push(Note {
            file: self.file.borrow().clone(),
            line,
            at,
            message,
            warning,
        });
    }

    pub fn into_vec(self) -> Vec<Note> {
        let mut notes = self.notes.into_inner();
        notes.sort();
        notes.dedup();
        notes
    }
}

/// A mapping read field by field. `path` names it in notes (`Gateway edge/lab: spec.listeners[0]`).
pub struct Obj<'a> {
    pub node: &'a Node,
    pub path: String,
    used: RefCell<Vec<&'a str>>,
}

impl<'a> Obj<'a> {
    pub fn new(node: &'a Node, path: impl Into<String>) -> Self {
        Obj {
            node,
            path: path.into(),
            used: RefCell::new(Vec::new()),
        }
    }

    pub fn line(&self) -> u64 {
        self.node.line
    }

    /// The path of a field of this mapping.
    pub fn field(&self, key: &str) -> String {
        if self.path.is_empty() || self.path.ends_with(": ") {
            format!("{}{key}", self.path)
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The field, marked as read; a null field is absent.
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        let Value::Map(entries) = &self.node.value else {
            return None;
        };
        let (k, v) = entries.iter().find(|(k, _)| k == key)?;
        self.used.borrow_mut().push(k.as_str());
        (v.value != Value::Null).then_some(v)
    }

    /// Marks fields as read without reading them: what needs no `.egw` form (a server's
    /// bookkeeping, a default).
    pub fn skip(&self, keys: &[&str]) {
        for key in keys {
            let _ = self.get(key);
        }
    }

    /// A string field; a value of another type is an error naming the field and line.
    pub fn str(&self, key: &str) -> Result<Option<&'a str>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(n) => match &n.value {
                Value::Str(s) => Ok(Some(s.as_str())),
                _ => Err(self.wrong(key, n, "a string")),
            },
        }
    }

    /// A string field the object cannot do without.
    pub fn required_str(&self, key: &str) -> Result<&'a str, String> {
        self.str(key)?
            .ok_or_else(|| format!("line {}: {} is missing", self.line(), self.field(key)))
    }

    /// A string or a number, as text (a port written `"8080"` or `8080`).
    pub fn scalar(&self, key: &str) -> Result<Option<String>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(n) => match &n.value {
                Value::Str(s) => Ok(Some(s.clone())),
                Value::Int(i) => Ok(Some(i.to_string())),
                _ => Err(self.wrong(key, n, "a string or a number")),
            },
        }
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(n) => match &n.value {
                Value::Int(i) => Ok(Some(*i)),
                Value::Str(s) if s.parse::<i64>().is_ok() => Ok(s.parse().ok()),
                _ => Err(self.wrong(key, n, "an integer")),
            },
        }
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(n) => match &n.value {
                Value::Bool(b) => Ok(Some(*b)),
                _ => Err(self.wrong(key, n, "true or false")),
            },
        }
    }

    /// A mapping field.
    pub fn obj(&self, key: &str) -> Result<Option<Obj<'a>>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(n) if n.is_map() => Ok(Some(Obj::new(n, self.field(key)))),
            Some(n) => Err(self.wrong(key, n, "a mapping")),
        }
    }

    /// A list field (absent: empty).
    pub fn list(&self, key: &str) -> Result<Vec<&'a Node>, String> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Node {
                value: Value::List(items),
                ..
            }) => Ok(items.iter().collect()),
            Some(n) => Err(self.wrong(key, n, "a list")),
        }
    }

    /// A list of mappings, each an [`Obj`] named `key[i]`.
    pub fn objs(&self, key: &str) -> Result<Vec<Obj<'a>>, String> {
        self.list(key)?
            .into_iter()
            .enumerate()
            .map(|(i, n)| {
                let path = format!("{}[{i}]", self.field(key));
                if n.is_map() {
                    Ok(Obj::new(n, path))
                } else {
                    Err(format!(
                        "line {}: {path} is {}, not a mapping",
                        n.line,
                        n.scalar_text()
                    ))
                }
            })
            .collect()
    }

    /// A list of strings.
    pub fn strs(&self, key: &str) -> Result<Vec<&'a str>, String> {
        self.list(key)?
            .into_iter()
            .enumerate()
            .map(|(i, n)| {
                n.as_str().ok_or_else(|| {
                    format!(
                        "line {}: {}[{i}] is {}, not a string",
                        n.line,
                        self.field(key),
                        n.scalar_text()
                    )
                })
            })
            .collect()
    }

    /// A mapping of strings to strings (labels, annotations, data), in input order.
    pub fn string_map(&self, key: &str) -> Result<Vec<(String, String)>, String> {
        let Some(o) = self.obj(key)? else {
            return Ok(Vec::new());
        };
        let Value::Map(entries) = &o.node.value else {
            return Ok(Vec::new());
        };
        entries
            .iter()
            .map(|(k, v)| match &v.value {
                Value::Str(s) => Ok((k.clone(), s.clone())),
                Value::Int(_) | Value::Bool(_) | Value::Float(_) => {
                    Ok((k.clone(), v.scalar_text()))
                }
                _ => Err(o.wrong(k, v, "a string")),
            })
            .collect()
    }

    fn wrong(&self, key: &str, node: &Node, expected: &str) -> String {
        format!(
            "line {}: {} is {}, not {expected}",
            node.line,
            self.field(key),
            node.scalar_text()
        )
    }

    /// Reports every field that was not read: it has no `.egw` form.
    pub fn rest(&self, notes: &Notes, what: &str) {
        let Value::Map(entries) = &self.node.value else {
            return;
        };
        let used = self.used.borrow();
        for (key, value) in entries {
            if !used.contains(&key.as_str()) && value.value != Value::Null {
                notes.warn(
                    value.line,
                    self.field(key),
                    format!("{what} has no .egw form: not imported"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_lines_and_unread_fields_are_listed() {
        let docs = parse("a: 1\nb:\n  - x\n  - y: on\nc: n\n---\nkind: List\n").unwrap();
        assert_eq!(docs.len(), 2);
        let o = Obj::new(&docs[0], "top");
        assert_eq!(o.int("a").unwrap(), Some(1));
        let items = o.list("b").unwrap();
        assert_eq!(items[1].line, 4);
        assert_eq!(items[1].get("y").unwrap().as_str(), Some("on"));
        let notes = Notes::default();
        o.rest(&notes, "this field");
        let notes = notes.into_vec();
        assert_eq!(notes.len(), 1);
        assert_eq!((notes[0].line, notes[0].at.as_str()), (5, "top.c"));
    }

    #[test]
    fn a_syntax_error_says_its_line() {
        let e = parse("a: 1\nb: [1,\n").unwrap_err();
        assert!(e.contains("line"), "{e}");
    }

    #[test]
    fn a_field_of_the_wrong_type_is_an_error_with_its_line() {
        let docs = parse("a:\n  b: [1]\n").unwrap();
        let o = Obj::new(&docs[0], "x");
        let a = o.obj("a").unwrap().unwrap();
        assert_eq!(
            a.str("b").unwrap_err(),
            "line 2: x.a.b is a list, not a string"
        );
    }
}
