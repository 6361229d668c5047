//! Did-you-mean: the closest known name to a misspelt one.

/// The candidate closest to `word` by edit distance, if it is close enough to be a
/// plausible typo: at most one edit for short words, two for longer ones, and never
/// the word itself.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let length = word.chars().count();
    let limit = match length {
        0..=2 => 1,
        3..=5 => 1,
        _ => 2,
    };
    candidates
        .into_iter()
        .filter(|c| *c != word)
        // A word of two letters or less is too short to tell a changed letter
        // from another word (`in`, `is`): only a letter more or less is a typo.
        .filter(|c| length > 2 || c.chars().count() != length)
        // A length further off than the limit is more edits than it: skipping
        // those keeps a long word (or a long candidate) from costing its square.
        .filter(|c| {
            c.len().abs_diff(length) <= limit * 4 && c.chars().count().abs_diff(length) <= limit
        })
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn finds_near_names_only() {
        assert_eq!(did_you_mean("blok", ["block", "flag"]), Some("block"));
        assert_eq!(
            did_you_mean("clusterr", ["cluster", "price"]),
            Some("cluster")
        );
        assert_eq!(
            did_you_mean("fashon", ["fashion", "craft"]),
            Some("fashion")
        );
        assert_eq!(did_you_mean("zzz", ["block"]), None);
        assert_eq!(did_you_mean("in", ["is"]), None);
    }
}
