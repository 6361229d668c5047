//! `akar fmt`: a policy file in its canonical layout, comments kept.
//!
//! The file is parsed, and each item printed from its AST by a printer per kind of
//! node (`items`, `cond`), never by re-spacing tokens. The AST has no comments,
//! so `scan` finds them in the source and `doc` puts each back by position.
//! The layout itself is documented in `grammar/REFERENCE.md` ("Layout").
//!
//! Formatting must not change what a policy means, so [`format()`] parses its own
//! output and refuses, leaving the file alone, unless the tree read back equals the
//! original (spans do not take part in equality) and every comment is still there.

mod cond;
mod doc;
mod error;
mod items;
mod scan;

pub use error::FmtError;

use crate::source::LineIndex;
use crate::syntax::ast::{File, Item};
use crate::syntax::{self, Span};
use scan::Trivia;

/// Prints items; it holds the source, for what the AST does not keep (comments,
/// the lines a list was written on, parentheses around an `and` in an `or`).
struct Printer<'a> {
    trivia: Trivia<'a>,
}

/// The canonical layout of a policy file. A file with syntax errors is refused
/// with them; an output that would not read back as the same policy is refused too.
pub fn format(src: &str) -> Result<String, FmtError> {
    // Some Windows editors start files with a byte-order mark; the layout has none.
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let parsed = syntax::parse(src);
    if !parsed.errors.is_empty() {
        return Err(FmtError::Syntax {
            errors: parsed.errors,
        });
    }
    let printer = Printer {
        trivia: Trivia {
            src,
            comments: scan::comments(src, &opaque(&parsed.file)),
            lines: LineIndex::new(src),
        },
    };
    let blocks: Vec<doc::Block> = parsed.file.items.iter().map(|i| printer.block(i)).collect();
    let out = doc::render(&blocks, &printer.trivia);
    verify(&parsed.file, &printer.trivia, &out)?;
    Ok(out)
}

/// The ranges kept exactly as written, where `//` is not a comment: the JSON of
/// each test's `given`.
fn opaque(file: &File) -> Vec<Span> {
    file.items
        .iter()
        .filter_map(|item| match item {
            Item::Test(t) => Some(t.given.span),
            _ => None,
        })
        .collect()
}

/// Checks that `out` reads back as `file` and keeps every comment of the source.
fn verify(file: &File, source: &Trivia, out: &str) -> Result<(), FmtError> {
    let reread = syntax::parse(out);
    if !reread.errors.is_empty() || reread.file != *file {
        let differs = file
            .items
            .iter()
            .zip(
                reread
                    .file
                    .items
                    .iter()
                    .map(Some)
                    .chain(std::iter::repeat(None)),
            )
            .find(|(before, after)| Some(*before) != *after);
        let span = differs.map_or(Span::default(), |(item, _)| source.tight(item.span()));
        return Err(FmtError::ChangedMeaning { span });
    }
    let mut kept: Vec<String> = scan::comments(out, &opaque(&reread.file))
        .into_iter()
        .map(|c| c.text)
        .collect();
    for comment in &source.comments {
        match kept.iter().position(|text| *text == comment.text) {
            Some(n) => {
                kept.swap_remove(n);
            }
            None => return Err(FmtError::LostComment { span: comment.span }),
        }
    }
    match kept.is_empty() {
        true => Ok(()),
        false => Err(FmtError::LostComment {
            span: Span::default(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `verify` of `out` as the formatting of `src`.
    fn verified(src: &str, out: &str) -> Result<(), FmtError> {
        let parsed = syntax::parse(src);
        let trivia = Trivia {
            src,
            comments: scan::comments(src, &opaque(&parsed.file)),
            lines: LineIndex::new(src),
        };
        verify(&parsed.file, &trivia, out)
    }

    #[test]
    fn an_output_of_another_meaning_is_refused_pointing_at_the_item() {
        let refused = verified("let a = 1\nlet b = 2\n", "let a = 1\nlet b = 3\n");
        assert!(
            matches!(refused, Err(FmtError::ChangedMeaning { span }) if span.start == 10),
            "{refused:?}"
        );
    }

    #[test]
    fn an_output_that_does_not_parse_is_refused() {
        let refused = verified("let a = 1\n", "let a =\n");
        assert!(matches!(refused, Err(FmtError::ChangedMeaning { .. })));
    }

    #[test]
    fn an_output_without_a_comment_is_refused_pointing_at_it() {
        let refused = verified("let a = 1 // why\n", "let a = 1\n");
        assert!(
            matches!(refused, Err(FmtError::LostComment { span }) if span.start == 10),
            "{refused:?}"
        );
    }

    #[test]
    fn comments_in_strings_and_given_json_are_not_comments() {
        let src =
            "let s = \"a // b\"\ntest \"t\" {\n  given {\"a\": 1 // c\n}\n  expect allow\n}\n";
        let parsed = syntax::parse(src);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert!(scan::comments(src, &opaque(&parsed.file)).is_empty());
    }
}
