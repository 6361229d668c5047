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

    /// Whether `text` holds any of the needles; `None` when it is not ASCII
    /// (its case is Unicode's to fold, not this searcher's).
    pub fn find_in(&self, text: &str) -> Option<bool> {
        let Some(packed) = &self.packed else {
            return text.is_ascii().then(|| self.automaton.is_match(text));
        };
        let text = text.as_bytes();
        // Most titles: lower-cased on the stack.
        let mut stack = [0u8; SHORT];
        if let Some(lower) = stack.get_mut(..text.len()) {
            return lower_ascii(text, lower).then(|| packed.find(lower).is_some());
        }
        LOWER.with(|cell| match cell.try_borrow_mut() {
            Ok(mut lower) => {
                lower.resize(text.len(), 0);
                lower_ascii(text, &mut lower).then(|| packed.find(&lower[..]).is_some())
            }
            Err(_) => text.is_ascii().then(|| self.automaton.is_match(text)),
        })
    }
}

/// Texts up to this long are lower-cased into a buffer on the stack.
const SHORT: usize = 128;

/// Lower-cases `text` into `out`, as long, eight bytes at a time; false (and
/// `out` not to be used) when `text` is not ASCII.
fn lower_ascii(text: &[u8], out: &mut [u8]) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut seen = 0u64;
    let mut from = text.chunks_exact(8);
    let mut to = out.chunks_exact_mut(8);
    for (chunk, into) in (&mut from).zip(&mut to) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        seen |= word;
        into.copy_from_slice(&lower_word(word).to_le_bytes());
    }
    for (byte, into) in from.remainder().iter().zip(to.into_remainder()) {
        seen |= u64::from(*byte);
        *into = byte.to_ascii_lowercase();
    }
    seen & HIGH == 0
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
        assert!(lower_ascii(&all, &mut out));
        assert_eq!(out, all.to_ascii_lowercase());
        for at in [0, 7, 8, 12] {
            let mut text = b"Hijab Instan Murah".to_vec();
            text[at] = 0xc3;
            assert!(!lower_ascii(&text, &mut vec![0; text.len()]), "{at}");
        }
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
            assert_eq!(search.find_in(text), Some(true), "{text}");
        }
        for text in ["", "hija", "Kemeja Batik", "baju  koko", "pcgame"] {
            assert_eq!(search.find_in(text), Some(false), "{text}");
        }
    }

    #[test]
    fn answers_as_lower_casing_and_searching_each_needle_would() {
        // Random texts built from pieces of the needles, in random case, as long
        // as a title or far longer (past the stack buffer), against the obvious way.
        let needles = ["hijab", "baju koko", "pc game", "non-halal", "lisensi", "x"];
        let search = Search::new(needles.into_iter()).unwrap();
        let pieces = [
            "hij", "ab", "baju", " ", "koko", "pc", "game", "non", "-", "halal", "lis", "ensi",
            "q", "Z",
        ];
        let mut rng = crate::synth::Rng::new(5);
        for _ in 0..5_000 {
            let mut text = String::new();
            let count = rng.next_u64() % 90;
            for _ in 0..count {
                let piece = rng.pick(&pieces);
                if rng.chance(0.5) {
                    text.push_str(&piece.to_ascii_uppercase());
                } else {
                    text.push_str(piece);
                }
            }
            let lower = text.to_ascii_lowercase();
            let expected = needles.iter().any(|n| lower.contains(n));
            assert_eq!(search.find_in(&text), Some(expected), "{text:?}");
        }
    }

    #[test]
    fn text_that_is_not_ascii_is_left_to_the_caller() {
        let search = Search::new(["hijab"].into_iter()).unwrap();
        assert_eq!(search.find_in("Café hijab"), None);
        assert_eq!(search.find_in(&format!("{}é hijab", "a".repeat(200))), None);
        assert_eq!(
            search.find_in(&format!("{} HIJAB", "a".repeat(200))),
            Some(true)
        );
    }

    #[test]
    fn an_empty_needle_is_in_every_text() {
        let search = Search::new(["", "x"].into_iter()).unwrap();
        assert_eq!(search.find_in(""), Some(true));
        assert_eq!(search.find_in("abc"), Some(true));
    }

    #[test]
    fn needles_that_are_not_ascii_are_left_to_the_caller() {
        assert!(Search::new(["café"].into_iter()).is_none());
    }
}

/// `contains any word [...]` over ASCII text, for a test its field's shared
/// [`Keywords`] does not answer (one on a derived value): a SIMD pass says
/// whether any needle occurs at all, and only then are its occurrences judged
/// as words.
#[derive(Clone)]
pub struct WordSearch {
    any: Search,
    words: Keywords,
}

impl WordSearch {
    /// `None` when a needle is not ASCII or empty (or the automata cannot be built).
    pub fn new<'n>(needles: impl Iterator<Item = &'n str> + Clone) -> Option<WordSearch> {
        let lower: Vec<String> = needles.map(str::to_ascii_lowercase).collect();
        let words = Keywords::new(&lower)?;
        let any = Search::new(lower.iter().map(String::as_str))?;
        Some(WordSearch { any, words })
    }

    /// Whether ASCII `text` holds any needle as a word; `None` when the text is
    /// not ASCII (Unicode's letters are the plain reading's to judge).
    pub fn find_in(&self, text: &str) -> Option<bool> {
        if !self.any.find_in(text)? {
            return Some(false);
        }
        let hits = self.words.hits(text)?;
        Some(hits.words.iter().any(|w| *w != 0))
    }
}

/// Every keyword of every `contains any`, `contains word` and `contains any
/// word` test on one field, searched together: one pass over the listing's
/// text finds which keywords occur, and which occur as words, and each test
/// then looks at its own keywords' bits. Rules repeat keyword lists and read
/// the same title; searching it once per listing instead of once per test is
/// what keeps many keyword rules cheap.
#[derive(Clone)]
pub struct Keywords {
    /// A DFA: one pass over the text, overlapping matches included.
    automaton: AhoCorasick,
    /// Per keyword: whether it begins and ends with a letter or digit.
    edges: Vec<(bool, bool)>,
}

/// The keywords are what matter; the automata are built from them.
impl std::fmt::Debug for Keywords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keywords({})", self.edges.len())
    }
}

/// Which keywords a text holds (`found`) and holds as words (`words`), by id.
#[derive(Debug, Clone, Default)]
pub struct Hits {
    pub found: smallvec::SmallVec<[u64; 16]>,
    pub words: smallvec::SmallVec<[u64; 16]>,
}

impl Keywords {
    /// `None` when a keyword is not ASCII or empty (those tests keep their
    /// own search).
    pub fn new(keywords: &[String]) -> Option<Keywords> {
        if !keywords.iter().all(|k| k.is_ascii() && !k.is_empty()) {
            return None;
        }
        let edges = keywords
            .iter()
            .map(|k| {
                let b = k.as_bytes();
                let alnum = |c: Option<&u8>| c.is_some_and(u8::is_ascii_alphanumeric);
                (alnum(b.first()), alnum(b.last()))
            })
            .collect();
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(keywords)
            .ok()?;
        Some(Keywords { automaton, edges })
    }

    /// The keywords ASCII `text` holds; `None` when it is not ASCII (the
    /// tests then read it themselves, with Unicode's case and letters).
    pub fn hits(&self, text: &str) -> Option<Hits> {
        let words = self.edges.len().div_ceil(64);
        let mut hits = Hits {
            found: smallvec::smallvec![0; words],
            words: smallvec::smallvec![0; words],
        };
        if !text.is_ascii() {
            return None;
        }
        let bytes = text.as_bytes();
        let alnum = |at: Option<&u8>| at.is_some_and(u8::is_ascii_alphanumeric);
        for m in self.automaton.try_find_overlapping_iter(text).ok()? {
            let id = m.pattern().as_usize();
            let (starts, ends) = self.edges.get(id).copied().unwrap_or_default();
            super::bits::set(&mut hits.found, id);
            let joined_before = starts && m.start() > 0 && alnum(bytes.get(m.start() - 1));
            let joined_after = ends && alnum(bytes.get(m.end()));
            if !joined_before && !joined_after {
                super::bits::set(&mut hits.words, id);
            }
        }
        Some(hits)
    }
}
