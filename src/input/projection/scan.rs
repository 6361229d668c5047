//! The projection's fast reader: one pass over a line's bytes that fills the
//! slots and checks everything else it passes over, written by hand because
//! serde's visitor protocol (a call per token, every key decoded, every number
//! read) is most of the time of reading a listing, and the few fields a policy
//! reads are a small part of a line. SIMD scans (`memchr`) find the ends of
//! strings.
//!
//! It answers only lines it can answer exactly as the serde reader would:
//! anything it does not read the same way (an escape in a key or in a value
//! a rule reads, a number with an exponent, an enclosing key that repeats or
//! does not hold an object, a line that is not an object) makes it give up,
//! and the line is read by the serde reader, which has the last word on what
//! is valid. It gives up on the lines [`super::needs_full_check`] picks too
//! (not UTF-8, a `\u` escape, deep nesting), without a pass of its own.

use std::borrow::Cow;

use serde_json::Number;

use super::{Node, Projected};
use crate::json::Val;

/// The slots of `bytes`, or `None` where the serde reader must read it.
pub(super) fn project<'a>(root: &Node, slots: usize, bytes: &'a [u8]) -> Option<Projected<'a>> {
    // Checked once for the line: a string between quotes is then text too.
    let text = std::str::from_utf8(bytes).ok()?;
    let mut scan = Scanner {
        bytes,
        text,
        at: 0,
        depth: 0,
    };
    let mut out = Projected {
        slots: vec![None; slots],
        broken: Vec::new(),
    };
    scan.space();
    scan.eat(b'{')?;
    scan.object(root, &mut out)?;
    scan.space();
    (scan.at == bytes.len()).then_some(out)
}

struct Scanner<'a> {
    bytes: &'a [u8],
    /// The same bytes, as text.
    text: &'a str,
    at: usize,
    /// Arrays and objects open here; past [`DEPTH`] the serde reader decides.
    depth: usize,
}

/// Well below serde_json's limit of 128.
const DEPTH: usize = 100;

/// Whether a byte ends a run of plain string content: a quote, a backslash,
/// or a control character, which JSON does not allow in a string.
fn stops(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// JSON's whitespace: space, tab, newline, carriage return.
    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// The members of an object whose `{` has been read: slots filled, the
    /// rest skipped.
    fn object(&mut self, node: &Node, out: &mut Projected<'a>) -> Option<()> {
        let mut seen = 0u64;
        self.items(b'}', |scan| {
            let key = scan.key()?;
            match node.children.iter().position(|(k, _)| k == key) {
                Some(index) => {
                    // A repeated key replaces what came before: the serde reader's.
                    let bit = 1u64.checked_shl(u32::try_from(index).ok()?)?;
                    if seen & bit != 0 {
                        return None;
                    }
                    seen |= bit;
                    let (_, child) = node.children.get(index)?;
                    scan.member(child, out)
                }
                None => scan.skip(),
            }
        })
    }

    /// The items of an array or the members of an object whose opening bracket
    /// has been read, each read by `item`, up to and with `close`.
    fn items(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.space();
        if self.eat(close).is_some() {
            return Some(());
        }
        loop {
            self.space();
            item(self)?;
            self.space();
            match self.peek()? {
                b',' => self.at += 1,
                byte if byte == close => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// An object key without escapes, and its colon.
    fn key(&mut self) -> Option<&'a str> {
        let key = self.plain_string()?;
        self.space();
        self.eat(b':')?;
        self.space();
        Some(key)
    }

    /// A value the projection reads: a slot's, or an object holding slots.
    fn member(&mut self, child: &Node, out: &mut Projected<'a>) -> Option<()> {
        if let Some(slot) = child.slot {
            let value = self.value()?;
            // `null` is missing, as a lookup has it.
            *out.slots.get_mut(slot)? = (value != Val::Null).then_some(value);
            return Some(());
        }
        match self.peek()? {
            b'{' => {
                self.open()?;
                self.object(child, out)
            }
            b'n' => self.literal(b"null"),
            // What is below cannot be read: the serde reader says why.
            _ => None,
        }
    }

    /// A whole value, built.
    fn value(&mut self) -> Option<Val<'a>> {
        match self.peek()? {
            b'"' => self.plain_string().map(|s| Val::Str(Cow::Borrowed(s))),
            b't' => self.literal(b"true").map(|()| Val::Bool(true)),
            b'f' => self.literal(b"false").map(|()| Val::Bool(false)),
            b'n' => self.literal(b"null").map(|()| Val::Null),
            b'[' => {
                self.open()?;
                let mut items = Vec::new();
                self.items(b']', |scan| {
                    items.push(scan.value()?);
                    Some(())
                })?;
                Some(Val::Array(items))
            }
            b'{' => {
                self.open()?;
                let mut fields = Vec::new();
                self.items(b'}', |scan| {
                    let key = scan.key()?;
                    fields.push((Cow::Borrowed(key), scan.value()?));
                    Some(())
                })?;
                Some(Val::Object(fields))
            }
            _ => self.number(),
        }
    }

    /// A number, as the serde reader makes it: a plain integer is read as one,
    /// other numbers keep their text (`-0` stays `-0`). (It rewrites exponents,
    /// so a number with one is left to it.)
    fn number(&mut self) -> Option<Val<'a>> {
        let (text, fraction) = self.number_text()?;
        if fraction {
            return text.parse::<Number>().ok().map(Val::Number);
        }
        match crate::json::plain_int(text) {
            Some(n) => Some(Val::Int(n)),
            None => text.parse::<Number>().ok().map(Val::Number),
        }
    }

    /// The text of a number in JSON's grammar, and whether it has a fraction;
    /// `None` for an exponent or a text that is not a number.
    fn number_text(&mut self) -> Option<(&'a str, bool)> {
        let start = self.at;
        self.eat(b'-');
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        let fraction = self.eat(b'.').is_some();
        if fraction {
            self.some_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            return None;
        }
        let text = std::str::from_utf8(self.bytes.get(start..self.at)?).ok()?;
        Some((text, fraction))
    }

    /// Steps into an array or object; `None` past [`DEPTH`]. (Closing is not
    /// counted: a line's total is what matters, and it is short.)
    fn open(&mut self) -> Option<()> {
        self.depth += 1;
        self.at += 1;
        (self.depth <= DEPTH).then_some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| self.at = end)
    }

    /// A string with no escape, borrowed; `None` for one with an escape (the
    /// serde reader decodes it) or that is not valid.
    fn plain_string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        let end = self.stop();
        if self.bytes.get(end) != Some(&b'"') {
            return None;
        }
        self.at = end + 1;
        self.text.get(start..end)
    }

    /// Where the plain string content from here ends (see [`stops`]): a short
    /// loop, since most strings in a listing are a few bytes long.
    fn stop(&self) -> usize {
        let mut at = self.at;
        while let Some(byte) = self.bytes.get(at) {
            if stops(*byte) {
                break;
            }
            at += 1;
        }
        at
    }

    /// Passes over a value no rule reads, checking it as a full parse would.
    fn skip(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            open @ (b'[' | b'{') => {
                self.open()?;
                let close = if open == b'[' { b']' } else { b'}' };
                self.items(close, |scan| {
                    if open == b'{' {
                        scan.skip_string()?;
                        scan.space();
                        scan.eat(b':')?;
                        scan.space();
                    }
                    scan.skip()
                })
            }
            _ => self.skip_number(),
        }
    }

    /// A number in JSON's grammar, exponent and all: it is not kept.
    fn skip_number(&mut self) -> Option<()> {
        self.eat(b'-');
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.eat(b'.').is_some() {
            self.some_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.some_digits()?;
        }
        Some(())
    }

    /// One digit or more.
    fn some_digits(&mut self) -> Option<()> {
        let before = self.at;
        self.digits();
        (self.at > before).then_some(())
    }

    /// A string, escapes checked (`\u` never comes here: such lines are
    /// checked in full).
    fn skip_string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            let end = self.stop();
            let stop = *self.bytes.get(end)?;
            self.at = end + 1;
            match stop {
                b'"' => return Some(()),
                b'\\' => {}
                _ => return None,
            }
            match self.peek()? {
                // `\u` (a lone surrogate?) is left to the serde reader.
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.at += 1,
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )]

    use super::super::Projection;

    fn projection(paths: &[&str]) -> Projection {
        let split: Vec<Vec<String>> = paths
            .iter()
            .map(|p| p.split('.').map(String::from).collect())
            .collect();
        let refs: Vec<&[String]> = split.iter().map(Vec::as_slice).collect();
        Projection::of_paths(&refs)
    }

    #[test]
    fn reads_a_synthetic_listing_itself() {
        let projection = projection(&[
            "cluster",
            "price",
            "certifications.halal",
            "title",
            "cross_border",
        ]);
        let mut line = String::new();
        crate::synth::listing(7, 1, &mut line);
        let bytes = line.trim_end().as_bytes();
        let fast = super::project(&projection.root, projection.slots, bytes)
            .expect("the fast reader gave up");
        let serde = projection.parse_with_serde(bytes).unwrap();
        assert_eq!(fast.slots, serde.slots);
    }
}
