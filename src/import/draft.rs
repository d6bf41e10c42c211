//! The `.egw` an import writes, as blocks of lines, before the formatter gives it the
//! canonical layout. Both sources build a [`Draft`]; [`Draft::text`] prints it.

/// A line of a block, or a block inside it, with the comments that explain a decision.
pub enum Item {
    Line { comments: Vec<String>, text: String },
    Block(Block),
}

pub struct Block {
    pub comments: Vec<String>,
    /// What opens the block: `gateway edge`, `listener https`, `rule`.
    pub head: String,
    pub items: Vec<Item>,
}

impl Block {
    pub fn new(head: impl Into<String>) -> Self {
        Block {
            comments: Vec::new(),
            head: head.into(),
            items: Vec::new(),
        }
    }

    pub fn line(&mut self, text: impl Into<String>) {
        self.items.push(Item::Line {
            comments: Vec::new(),
            text: text.into(),
        });
    }

    /// A line with a comment above it.
    pub fn noted_line(&mut self, comment: impl Into<String>, text: impl Into<String>) {
        self.items.push(Item::Line {
            comments: vec![comment.into()],
            text: text.into(),
        });
    }

    pub fn block(&mut self, block: Block) {
        self.items.push(Item::Block(block));
    }

    /// `label` and `annotation` lines.
    pub fn metadata(&mut self, labels: &[(String, String)], annotations: &[(String, String)]) {
        for (k, v) in labels {
            self.line(format!("label {} = {}", quote(k), quote(v)));
        }
        for (k, v) in annotations {
            self.line(format!("annotation {} = {}", quote(k), quote(v)));
        }
    }

    fn write(&self, out: &mut String, depth: usize) {
        let indent = "  ".repeat(depth);
        for c in &self.comments {
            out.push_str(&format!("{indent}// {c}\n"));
        }
        out.push_str(&format!("{indent}{} {{\n", self.head));
        for item in &self.items {
            match item {
                Item::Line { comments, text } => {
                    for c in comments {
                        out.push_str(&format!("{indent}  // {c}\n"));
                    }
                    out.push_str(&format!("{indent}  {text}\n"));
                }
                Item::Block(b) => b.write(out, depth + 1),
            }
        }
        out.push_str(&format!("{indent}}}\n"));
    }
}

/// One `.egw` file: a header comment, the file's namespace, and its blocks in the canonical
/// order (gateways, services, routes).
#[derive(Default)]
pub struct Draft {
    pub header: Vec<String>,
    pub namespace: Option<String>,
    pub gateways: Vec<Block>,
    pub services: Vec<Block>,
    pub routes: Vec<Block>,
    /// Files the `.egw` names, written beside it (name, contents).
    pub files: Vec<(String, String)>,
}

impl Draft {
    /// The text, before formatting.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for c in &self.header {
            out.push_str(&format!("// {c}\n"));
        }
        if let Some(ns) = &self.namespace {
            out.push_str(&format!("namespace {}\n", quote(ns)));
        }
        for group in [&self.gateways, &self.services, &self.routes] {
            for block in group {
                out.push('\n');
                block.write(&mut out, 0);
            }
        }
        out
    }
}

/// A `.egw` string literal: `\`, `"`, newline and tab escaped, and `${` kept as written
/// rather than read as a constant.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `text` can be written as a word of the grammar (a protocol, a method, a scheme):
/// a letter or `_`, then letters, digits, `_` and `-`.
pub fn is_word(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && text
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

/// A duration as `.egw` writes it (`1h30m`, `500ms`), from a Gateway API duration, which
/// has the same form (GEP-2257); `None` when it has another.
pub fn duration(text: &str) -> Option<String> {
    let mut rest = text;
    let mut parts = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let unit = ["ms", "h", "m", "s"]
            .into_iter()
            .find(|u| rest[digits..].starts_with(u))?;
        if digits == 0 || digits > 5 {
            return None;
        }
        rest = &rest[digits + unit.len()..];
        parts += 1;
    }
    (1..=4).contains(&parts).then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_the_grammar_reads_them() {
        assert_eq!(quote(r#"a"b\c${d}$e"#), r#""a\"b\\c\${d}$e""#);
        assert_eq!(quote("x\ny\tz"), r#""x\ny\tz""#);
    }

    #[test]
    fn gateway_api_durations_keep_their_form() {
        assert_eq!(duration("1h30m").as_deref(), Some("1h30m"));
        assert_eq!(duration("500ms").as_deref(), Some("500ms"));
        assert_eq!(duration("1m30s").as_deref(), Some("1m30s"));
        assert_eq!(duration("1.5s"), None);
        assert_eq!(duration(""), None);
    }
}
