//! `matches "PATTERN"` for RE2 (DuckDB) and Java (Spark): the pattern read by
//! the parser the `regex` crate uses, so that every class is resolved as akar
//! resolves it (Unicode `\d`, `\s`, `\w`, `(?i)` case folding), and written
//! again with nothing either engine reads differently: classes as explicit
//! code point ranges, `\A`/`\z` for the text's ends, groups non-capturing.
//! A word boundary `\b` has no RE2 form; at the very start or end of a
//! pattern, next to what can only be a word character, it is "not a word
//! character, or the end of the text" — the same for a search. Anything else
//! is refused, never approximated.

use std::fmt::Write as _;

use regex_syntax::hir::{Class, ClassUnicode, Hir, HirKind, Look};

/// The pattern as both engines read it, or why it cannot be said.
pub fn portable(source: &str) -> Result<String, String> {
    let hir = regex_syntax::Parser::new()
        .parse(source)
        .map_err(|e| e.to_string())?;
    let word = word_class()?;
    let mut items: Vec<&Hir> = match hir.kind() {
        HirKind::Concat(items) => items.iter().collect(),
        _ => vec![&hir],
    };
    let mut out = String::new();
    let mut tail = String::new();
    let boundary = |h: &Hir| matches!(h.kind(), HirKind::Look(Look::WordUnicode));
    if items.first().is_some_and(|h| boundary(h)) {
        let next = items.get(1).ok_or("a lone `\\b`")?;
        if !within(first_chars(next), &word) {
            return Err("`\\b` before what may not be a word character".into());
        }
        out.push_str("(?:\\A|");
        class(&mut out, &word, true);
        out.push(')');
        items.remove(0);
    }
    if items.len() > 1 && items.last().is_some_and(|h| boundary(h)) {
        let before = items.get(items.len() - 2).ok_or("a lone `\\b`")?;
        if !within(last_chars(before), &word) {
            return Err("`\\b` after what may not be a word character".into());
        }
        tail.push_str("(?:");
        class(&mut tail, &word, true);
        tail.push_str("|\\z)");
        items.pop();
    }
    for item in items {
        write(&mut out, item)?;
    }
    out.push_str(&tail);
    Ok(out)
}

/// Unicode `\w`, as the `regex` crate has it.
fn word_class() -> Result<ClassUnicode, String> {
    let hir = regex_syntax::Parser::new()
        .parse(r"\w")
        .map_err(|e| e.to_string())?;
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => Ok(class.clone()),
        _ => Err("no Unicode word class".into()),
    }
}

fn within(chars: Option<ClassUnicode>, word: &ClassUnicode) -> bool {
    chars.is_some_and(|mut c| {
        c.difference(word);
        c.ranges().is_empty()
    })
}

/// What a non-empty match of `hir` can begin with; `None` when it can be
/// empty or is not known.
fn first_chars(hir: &Hir) -> Option<ClassUnicode> {
    edge_chars(hir, true)
}

fn last_chars(hir: &Hir) -> Option<ClassUnicode> {
    edge_chars(hir, false)
}

fn edge_chars(hir: &Hir, first: bool) -> Option<ClassUnicode> {
    match hir.kind() {
        HirKind::Literal(lit) => {
            let text = std::str::from_utf8(&lit.0).ok()?;
            let c = if first {
                text.chars().next()?
            } else {
                text.chars().next_back()?
            };
            Some(ClassUnicode::new([
                regex_syntax::hir::ClassUnicodeRange::new(c, c),
            ]))
        }
        HirKind::Class(Class::Unicode(class)) => Some(class.clone()),
        HirKind::Capture(capture) => edge_chars(&capture.sub, first),
        HirKind::Repetition(rep) if rep.min >= 1 => edge_chars(&rep.sub, first),
        HirKind::Concat(items) => {
            let edge = if first { items.first() } else { items.last() }?;
            edge_chars(edge, first)
        }
        HirKind::Alternation(items) => {
            let mut all = ClassUnicode::empty();
            for item in items {
                all.union(&edge_chars(item, first)?);
            }
            Some(all)
        }
        _ => None,
    }
}

fn write(out: &mut String, hir: &Hir) -> Result<(), String> {
    match hir.kind() {
        HirKind::Empty => out.push_str("(?:)"),
        HirKind::Literal(lit) => {
            let text = std::str::from_utf8(&lit.0).map_err(|_| "a pattern of bytes".to_string())?;
            for c in text.chars() {
                char_of(out, c);
            }
        }
        HirKind::Class(Class::Unicode(c)) => class(out, c, false),
        HirKind::Class(Class::Bytes(_)) => return Err("a class of bytes".into()),
        HirKind::Look(Look::Start) => out.push_str("\\A"),
        HirKind::Look(Look::End) => out.push_str("\\z"),
        HirKind::Look(look) => return Err(format!("`{}`", look_name(*look))),
        HirKind::Repetition(rep) => {
            out.push_str("(?:");
            write(out, &rep.sub)?;
            out.push(')');
            match rep.max {
                Some(max) if max == rep.min => {
                    let _ = write!(out, "{{{max}}}");
                }
                Some(max) => {
                    let _ = write!(out, "{{{},{max}}}", rep.min);
                }
                None => {
                    let _ = write!(out, "{{{},}}", rep.min);
                }
            }
            if !rep.greedy {
                out.push('?');
            }
        }
        HirKind::Capture(capture) => {
            out.push_str("(?:");
            write(out, &capture.sub)?;
            out.push(')');
        }
        HirKind::Concat(items) => {
            for item in items {
                write(out, item)?;
            }
        }
        HirKind::Alternation(items) => {
            out.push_str("(?:");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                write(out, item)?;
            }
            out.push(')');
        }
    }
    Ok(())
}

fn look_name(look: Look) -> &'static str {
    match look {
        Look::WordUnicode | Look::WordAscii => "\\b inside a pattern",
        Look::WordUnicodeNegate | Look::WordAsciiNegate => "\\B",
        Look::StartLF | Look::EndLF | Look::StartCRLF | Look::EndCRLF => "(?m) line anchors",
        _ => "a word-edge assertion",
    }
}

fn char_of(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() {
        out.push(c);
    } else {
        let _ = write!(out, "\\x{{{:X}}}", u32::from(c));
    }
}

fn class(out: &mut String, class: &ClassUnicode, negated: bool) {
    if class.ranges().is_empty() && !negated {
        // Matches nothing: every code point, negated.
        out.push_str("[^\\x{0}-\\x{10FFFF}]");
        return;
    }
    out.push('[');
    if negated {
        out.push('^');
    }
    for range in class.ranges() {
        char_of(out, range.start());
        if range.end() != range.start() {
            out.push('-');
            char_of(out, range.end());
        }
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::portable;

    #[test]
    fn patterns_are_written_without_what_engines_read_differently() {
        assert_eq!(
            portable("^MD [0-9]{12}$").unwrap(),
            "\\AMD\\x{20}(?:[0-9]){12}\\z"
        );
        assert!(portable(r"\bkw\b").unwrap().starts_with("(?:\\A|[^"));
        assert!(portable(r"a\bb").is_err());
        assert!(portable(r"\b-").is_err());
        assert!(portable(r"(?m)^a").is_err());
    }
}
