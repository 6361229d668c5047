//! Sets of small numbers (rules, values of a derived field) as bits in words.

/// A set that can hold `0..len`, empty.
pub(super) fn empty(len: usize) -> Vec<u64> {
    vec![0; len.div_ceil(64)]
}

pub(super) fn set(bits: &mut [u64], n: usize) {
    if let Some(word) = bits.get_mut(n / 64) {
        *word |= 1 << (n % 64);
    }
}

pub(super) fn clear(bits: &mut [u64], n: usize) {
    if let Some(word) = bits.get_mut(n / 64) {
        *word &= !(1 << (n % 64));
    }
}

pub(super) fn has(bits: &[u64], n: usize) -> bool {
    bits.get(n / 64)
        .is_some_and(|word| word & (1 << (n % 64)) != 0)
}

/// Whether the two sets have a number in common.
#[inline]
pub(super) fn meet(a: &[u64], b: &[u64]) -> bool {
    a.iter().zip(b).any(|(a, b)| a & b != 0)
}

/// The numbers in the set, smallest first.
pub(super) fn ones(bits: &[u64]) -> impl Iterator<Item = usize> + '_ {
    bits.iter().enumerate().flat_map(|(at, word)| {
        let mut rest = *word;
        std::iter::from_fn(move || {
            (rest != 0).then(|| {
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                at * 64 + bit
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_and_lists_numbers_across_words() {
        let mut bits = empty(130);
        for n in [0, 5, 63, 64, 129] {
            set(&mut bits, n);
        }
        set(&mut bits, 500);
        assert_eq!(ones(&bits).collect::<Vec<_>>(), [0, 5, 63, 64, 129]);
        assert!(has(&bits, 64) && !has(&bits, 65) && !has(&bits, 500));
    }
}
