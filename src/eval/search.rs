//! `contains any [...]` over text: one pass for all the needles, ignoring ASCII
//! case.
//!
//! Titles are short (tens of bytes), so a search's fixed costs matter as much as
//! its speed per byte. The text is lower-cased into a buffer kept per thread and
//! searched with a SIMD multi-needle searcher (Teddy, from `aho-corasick`'s
//! `packed` module); where the processor has no such instructions, an ASCII
//! case-insensitive Aho-Corasick automaton searches the text as it is.

use std::cell::RefCell;

use aho_corasick::{AhoCorasick, packed};

/// Finds whether any of a set of ASCII needles occurs in ASCII text, ignoring case.
#[derive(Clone)]
pub struct Search {
    /// Over the lower-cased needles, for lower-cased text.
    packed: Option<packed::Searcher>,
    automaton: AhoCorasick,
}

thread_local! {
    /// The text being searched, lower-cased: kept so that no search allocates.
    static LOWER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

impl Search {
    /// `None` when a needle is not ASCII (or the automaton cannot be built).
    pub fn new<'n>(needles: impl Iterator<Item = &'n str> + Clone) -> Option<Search> {
        let lower: Vec<String> = needles.map(str::to_ascii_lowercase).collect();
        if !lower.iter().all(|n| n.is_ascii()) {
            return None;
        }
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&lower)
            .ok()?;
        // An empty needle is in every text: the automaton answers that at once.
        let packed = if lower.iter().any(String::is_empty) {
            None
        } else {
            let mut builder = packed::Config::new().builder();
            builder.extend(&lower);
            builder.build()
        };
        Some(Search { packed, automaton })
    }

    /// Whether `text`, which must be ASCII, holds any of the needles.
    pub fn is_match(&self, text: &str) -> bool {
        let Some(packed) = &self.packed else {
            return self.automaton.is_match(text);
        };
        let text = text.as_bytes();
        if text.len() <= SHORT {
            // Most titles: lower-cased on the stack.
            let mut lower = [0u8; SHORT];
            let lower = &mut lower[..text.len()];
            lower_ascii(text, lower);
            return packed.find(lower).is_some();
        }
        LOWER.with(|cell| match cell.try_borrow_mut() {
            Ok(mut lower) => {
                lower.resize(text.len(), 0);
                lower_ascii(text, &mut lower);
                packed.find(&lower[..]).is_some()
            }
            Err(_) => self.automaton.is_match(text),
        })
    }
}

/// Texts up to this long are lower-cased into a buffer on the stack.
const SHORT: usize = 128;

/// Lower-cases ASCII `text` into `out`, as long, eight bytes at a time.
fn lower_ascii(text: &[u8], out: &mut [u8]) {
    let mut from = text.chunks_exact(8);
    let mut to = out.chunks_exact_mut(8);
    for (chunk, into) in (&mut from).zip(&mut to) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        into.copy_from_slice(&lower_word(u64::from_le_bytes(word)).to_le_bytes());
    }
    for (byte, into) in from.remainder().iter().zip(to.into_remainder()) {
        *into = byte.to_ascii_lowercase();
    }
}

/// Eight ASCII bytes with `A`..=`Z` lower-cased. For bytes below 0x80, adding
/// 0x3f sets a byte's top bit exactly when it is at least `A`, adding 0x25 when
/// it is past `Z`, and no sum carries into the next byte.
fn lower_word(word: u64) -> u64 {
    const EACH: u64 = 0x0101_0101_0101_0101;
    let from_a = word.wrapping_add(0x3f * EACH);
    let past_z = word.wrapping_add(0x25 * EACH);
    let upper = from_a & !past_z & (0x80 * EACH);
    word | (upper >> 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowers_every_ascii_byte_as_the_standard_library_does() {
        let all: Vec<u8> = (0u8..128).chain((0u8..128).rev()).collect();
        let mut out = vec![0; all.len()];
        lower_ascii(&all, &mut out);
        assert_eq!(out, all.to_ascii_lowercase());
    }

    #[test]
    fn finds_needles_in_any_case_at_any_place() {
        let search = Search::new(["hijab", "Baju Koko", "pc game"].into_iter()).unwrap();
        for text in [
            "HIJAB",
            "Hijab Instan Murah",
            "jual baju koko anak",
            "Set BAJU KOKO",
            "Original PC Game Key",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxhiJab",
        ] {
            assert!(search.is_match(text), "{text}");
        }
        for text in ["", "hija", "Kemeja Batik", "baju  koko", "pcgame"] {
            assert!(!search.is_match(text), "{text}");
        }
    }

    #[test]
    fn an_empty_needle_is_in_every_text() {
        let search = Search::new(["", "x"].into_iter()).unwrap();
        assert!(search.is_match("") && search.is_match("abc"));
    }

    #[test]
    fn needles_that_are_not_ascii_are_left_to_the_caller() {
        assert!(Search::new(["café"].into_iter()).is_none());
    }
}
