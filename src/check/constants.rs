//! Constants: `let NAME = "value"` at the top of a file, used as `${NAME}` in any string but
//! import and CA file paths. This pass runs before the other checks: it works out every
//! constant's value (a value may use other constants) and puts it in place of each
//! `${NAME}`, so the rest of the checker sees plain strings and checks the values as written
//! out. Names are global to the build, like services.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::diagnostics::{self, Code, Diagnostic, Spelling};
use crate::source::{FileId, Span};
use crate::syntax::ast;

/// What the pass found: its diagnostics, and the spans of strings whose value is unknown:
/// they use a constant that is undefined or in a cycle, or hold a malformed `${`. Diagnostics inside those strings would be
/// about a value egwc does not know, so the checker drops them.
#[derive(Default)]
pub(super) struct Expansion {
    pub diags: Vec<Diagnostic>,
    pub unknown: Vec<Span>,
}

/// The most bytes a string may hold once its constants are written out. No value Kubernetes
/// takes comes near it (annotations hold 256 KiB in all), and it keeps constants that use
/// each other twice over (`let b = "${a}${a}"`, forty deep) from filling memory.
pub const MAX_VALUE_BYTES: usize = 64 * 1024;
/// The most bytes all strings and constants of a build may hold together once written out,
/// so that many uses of a long constant cannot fill memory either.
pub const MAX_TOTAL_BYTES: usize = 64 << 20;

/// What is left of [`MAX_TOTAL_BYTES`]; the first value past it is reported, the rest are
/// refused silently (the build has failed).
struct Budget {
    left: usize,
    reported: bool,
}

impl Budget {
    /// Takes `len` bytes for the value at `span`, or reports and returns `false`.
    fn take(&mut self, len: usize, span: Span, diags: &mut Vec<Diagnostic>) -> bool {
        if len <= self.left {
            self.left -= len;
            return true;
        }
        if !std::mem::replace(&mut self.reported, true) {
            diags.push(
                Diagnostic::new(
                    Code::ValueTooLong,
                    span,
                    format!(
                        "the constants of this build, written out, would pass {} MiB in all here",
                        MAX_TOTAL_BYTES >> 20
                    ),
                    "this value passes the limit",
                )
                .with_help("use long constants in fewer places, or write the values out"),
            );
        }
        false
    }
}

/// One `let`: its name, and its value as written (with holes).
struct Def {
    name: ast::Ident,
    value: ast::Str,
}

pub(super) fn expand(files: &mut [(FileId, ast::File)]) -> Expansion {
    let mut out = Expansion::default();
    for (_, file) in files.iter() {
        out.unknown.extend(&file.malformed);
    }
    let defs = definitions(files, &mut out.diags);
    if defs.is_empty() && !files.iter().any(|(_, f)| f.has_holes) {
        return out;
    }
    let mut budget = Budget {
        left: MAX_TOTAL_BYTES,
        reported: false,
    };
    let values = values(&defs, &mut budget, &mut out.diags);
    for (_, file) in files.iter_mut().filter(|(_, f)| f.has_holes) {
        file.strings_mut(&mut |s| {
            if s.holes.is_empty() {
                return;
            }
            let mut known = true;
            for hole in &s.holes {
                match values.get(hole.name.as_str()) {
                    Some(Some(_)) => {}
                    Some(None) => known = false, // reported at the constant
                    None => {
                        out.diags.push(unknown(hole, &defs));
                        known = false;
                    }
                }
            }
            let value = |name: &str| values[name].as_deref().unwrap_or_default();
            if known {
                let len = filled_len(s, |name| value(name).len());
                if len > MAX_VALUE_BYTES {
                    out.diags.push(too_long(s.span, "this string", len));
                    known = false;
                } else {
                    known = budget.take(len, s.span, &mut out.diags);
                }
            }
            if known {
                s.value = fill(s, value);
                s.holes = Box::default();
            } else {
                out.unknown.push(s.span);
            }
        });
    }
    out
}

/// The `let`s of all files in load order; a second definition of a name is reported.
fn definitions(files: &[(FileId, ast::File)], diags: &mut Vec<Diagnostic>) -> Vec<Def> {
    let mut defs: Vec<Def> = Vec::new();
    let mut first: HashMap<&str, Span> = HashMap::new();
    for (_, file) in files {
        for item in &file.items {
            let ast::Item::Let { name, value } = &item.node else {
                continue;
            };
            if let Some(&at) = first.get(name.text.as_str()) {
                diags.push(super::duplicate(
                    "constant",
                    name,
                    at,
                    "`${NAME}` must mean one value",
                ));
                continue;
            }
            first.insert(&name.text, name.span);
            defs.push(Def {
                name: name.clone(),
                value: value.clone(),
            });
        }
    }
    defs
}

/// The value of every constant, `None` for one that uses an undefined constant or is in (or
/// depends on) a cycle. Worked out in dependency order (Kahn's algorithm), without
/// recursion, so a long chain of constants cannot overflow the stack.
fn values<'d>(
    defs: &'d [Def],
    budget: &mut Budget,
    diags: &mut Vec<Diagnostic>,
) -> HashMap<&'d str, Option<String>> {
    let index: HashMap<&str, usize> = defs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.name.text.as_str(), i))
        .collect();
    // For each constant, the constants it uses; for each, the constants that use it.
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); defs.len()];
    let mut users: Vec<Vec<usize>> = vec![Vec::new(); defs.len()];
    let mut broken = vec![false; defs.len()];
    for (i, def) in defs.iter().enumerate() {
        for hole in &def.value.holes {
            match index.get(hole.name.as_str()) {
                Some(&j) => {
                    deps[i].push(j);
                    users[j].push(i);
                }
                None => {
                    diags.push(unknown(hole, defs));
                    broken[i] = true;
                }
            }
        }
    }
    let mut pending: Vec<usize> = deps.iter().map(Vec::len).collect();
    let mut ready: VecDeque<usize> = (0..defs.len()).filter(|&i| pending[i] == 0).collect();
    let mut values: Vec<Option<Option<String>>> = vec![None; defs.len()];
    while let Some(i) = ready.pop_front() {
        let value = |j: usize| values[j].as_ref().and_then(Option::as_deref);
        let mut known = !broken[i] && deps[i].iter().all(|&j| value(j).is_some());
        if known {
            let len = filled_len(&defs[i].value, |name| {
                value(index[name]).map_or(0, str::len)
            });
            if len > MAX_VALUE_BYTES {
                let what = format!("`{}`", defs[i].name.text);
                diags.push(too_long(defs[i].name.span, &what, len));
                known = false;
            } else {
                known = budget.take(len, defs[i].name.span, diags);
            }
        }
        values[i] = Some(known.then(|| {
            fill(&defs[i].value, |name| {
                values[index[name]]
                    .as_ref()
                    .and_then(Option::as_deref)
                    .unwrap_or_default()
            })
        }));
        for &u in &users[i] {
            pending[u] -= 1;
            if pending[u] == 0 {
                ready.push_back(u);
            }
        }
    }
    report_cycles(defs, &deps, &values, diags);
    defs.iter()
        .zip(values)
        .map(|(d, v)| (d.name.text.as_str(), v.flatten()))
        .collect()
}

/// What `values` left unresolved is in a cycle, or uses one: reports each cycle once.
fn report_cycles(
    defs: &[Def],
    deps: &[Vec<usize>],
    values: &[Option<Option<String>>],
    diags: &mut Vec<Diagnostic>,
) {
    let mut reported: HashSet<usize> = HashSet::new();
    for start in 0..defs.len() {
        if values[start].is_some() || reported.contains(&start) {
            continue;
        }
        // Follow unresolved uses until a constant repeats: that closes a cycle.
        let mut path = vec![start];
        let closing = loop {
            let last = *path.last().expect("the path starts with one constant");
            let next = deps[last]
                .iter()
                .copied()
                .find(|&j| values[j].is_none())
                .expect("an unresolved constant uses an unresolved constant");
            if let Some(at) = path.iter().position(|&p| p == next) {
                break at;
            }
            path.push(next);
        };
        let cycle = &path[closing..];
        if cycle.iter().any(|c| reported.contains(c)) {
            continue;
        }
        reported.extend(cycle.iter().copied());
        diags.push(cycle_diagnostic(defs, cycle));
    }
}

/// The length of `s` with each hole replaced by a value `len(name)` bytes long, without
/// writing it out.
fn filled_len(s: &ast::Str, len: impl Fn(&str) -> usize) -> usize {
    let holes: usize = s.holes.iter().map(|h| (h.end - h.start) as usize).sum();
    s.holes.iter().fold(s.value.len() - holes, |total, h| {
        total.saturating_add(len(&h.name))
    })
}

fn too_long(span: Span, what: &str, len: usize) -> Diagnostic {
    Diagnostic::new(
        Code::ValueTooLong,
        span,
        format!(
            "{what} would be {} bytes long once its constants are written out",
            diagnostics::thousands(len)
        ),
        format!(
            "more than {} bytes",
            diagnostics::thousands(MAX_VALUE_BYTES)
        ),
    )
    .with_help(
        "a constant that uses another several times grows fast: use each once, or write \
the value out",
    )
}

/// The value of `s` with each hole replaced by `value(name)`.
fn fill<'v>(s: &ast::Str, value: impl Fn(&str) -> &'v str) -> String {
    let mut out = String::with_capacity(s.value.len());
    let mut last = 0;
    for hole in &s.holes {
        out.push_str(&s.value[last..hole.start as usize]);
        out.push_str(value(&hole.name));
        last = hole.end as usize;
    }
    out.push_str(&s.value[last..]);
    out
}

fn unknown(hole: &ast::Hole, defs: &[Def]) -> Diagnostic {
    let candidates = defs
        .iter()
        .map(|d| (d.name.text.as_str(), Some(d.name.span)));
    Diagnostic::new(
        Code::UnknownConstant,
        hole.span,
        format!("unknown constant `{}`", hole.name),
        "no constant has this name",
    )
    .did_you_mean(&hole.name, hole.span, candidates, Spelling::Constant, || {
        format!(
            "define it at the top of a file with `let {} = \"value\"`, or write `\\${{` for the \
characters `${{`",
            hole.name
        )
    })
}

/// `cycle` lists constants each of which uses the next, the last using the first. The error
/// points at the use in the last one that closes it.
fn cycle_diagnostic(defs: &[Def], cycle: &[usize]) -> Diagnostic {
    let first = &defs[cycle[0]];
    let last = &defs[*cycle.last().expect("a cycle has a constant")];
    let closing = last
        .value
        .holes
        .iter()
        .find(|h| h.name == first.name.text)
        .expect("the last constant of a cycle uses the first");
    let names: Vec<&str> = cycle
        .iter()
        .chain(std::iter::once(&cycle[0]))
        .map(|&i| defs[i].name.text.as_str())
        .collect();
    let mut d = Diagnostic::new(
        Code::ConstantCycle,
        closing.span,
        format!("constants are defined in a cycle: {}", names.join(" → ")),
        "this use closes the cycle",
    );
    if cycle.len() > 1 {
        d = d.with_label(
            first.name.span,
            format!("`{}` is defined here", first.name.text),
        );
    }
    d.with_help("a constant cannot use itself, directly or through others; write one value out")
}
