//! The texts a `match` looks up (its keys), in a table built for them.
//!
//! Every listing looks its category up in the category map, and a general hash
//! map's probing and hashing of every byte cost more there than the rest of a
//! typical rule. The keys are known when the plan is compiled, so this table is
//! a perfect hash: a seed is searched for under which no two keys share a slot,
//! hashing only a text's length and its first, middle and last bytes. A lookup
//! is then one hash, one slot and one comparison. Where no seed separates the
//! keys (two keys alike in all four), it falls back to a hash map.

use rustc_hash::FxHashMap;

/// A perfect table's slots: each empty, or a key and its value.
type Slots = Box<[Option<(Box<str>, u32)>]>;

/// Text keys, each to a `u32` value.
#[derive(Debug, Clone)]
pub(super) enum KeyTable {
    Perfect {
        slots: Slots,
        seed: u64,
        /// `slots.len() - 1`; the length is a power of two.
        mask: usize,
        /// The value of the empty key, which has no bytes to hash.
        empty: Option<u32>,
    },
    Map(FxHashMap<String, u32>),
}

/// Seeds tried per table size before the table is doubled, and doublings tried.
const SEEDS: u64 = 1024;
const DOUBLINGS: u32 = 3;
/// Past this many keys a seed that separates them all is too unlikely to look
/// for (the birthday bound), and a hash map is used at once.
const PERFECT_KEYS: usize = 512;

impl KeyTable {
    pub(super) fn new(keys: &FxHashMap<String, u32>) -> KeyTable {
        let empty = keys.get("").copied();
        let keyed: Vec<(&str, u32)> = keys
            .iter()
            .filter(|(k, _)| !k.is_empty())
            .map(|(k, v)| (k.as_str(), *v))
            .collect();
        if keyed.len() > PERFECT_KEYS {
            return KeyTable::Map(keys.clone());
        }
        let base = (keyed.len() * 2).next_power_of_two().max(2);
        for size in (0..DOUBLINGS).map(|d| base << d) {
            for seed in 0..SEEDS {
                if let Some(slots) = place(&keyed, size, seed) {
                    return KeyTable::Perfect {
                        slots,
                        seed,
                        mask: size - 1,
                        empty,
                    };
                }
            }
        }
        KeyTable::Map(keys.clone())
    }

    pub(super) fn get(&self, key: &str) -> Option<u32> {
        match self {
            KeyTable::Perfect {
                slots,
                seed,
                mask,
                empty,
            } => {
                if key.is_empty() {
                    return *empty;
                }
                match slots.get(hash(key.as_bytes(), *seed) & mask)? {
                    Some((found, value)) if **found == *key => Some(*value),
                    _ => None,
                }
            }
            KeyTable::Map(map) => map.get(key).copied(),
        }
    }
}

/// The keys in a table of `size` slots under `seed`, if no two share a slot.
fn place(keys: &[(&str, u32)], size: usize, seed: u64) -> Option<Slots> {
    let mut slots: Slots = vec![None; size].into();
    for (key, value) in keys {
        let slot = slots.get_mut(hash(key.as_bytes(), seed) & (size - 1))?;
        if slot.is_some() {
            return None;
        }
        *slot = Some(((*key).into(), *value));
    }
    Some(slots)
}

/// A hash of a non-empty text from its length and three of its bytes.
fn hash(text: &[u8], seed: u64) -> usize {
    let n = text.len();
    let (first, middle, last) = match (text.first(), text.get(n / 2), text.last()) {
        (Some(a), Some(b), Some(c)) => (*a as u64, *b as u64, *c as u64),
        _ => (0, 0, 0),
    };
    let packed = (n as u64) | first << 16 | middle << 24 | last << 32;
    let mixed =
        (packed ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    (mixed >> 32) as usize
}

#[cfg(test)]
mod tests {
    use super::KeyTable;
    use rustc_hash::FxHashMap;

    fn table(keys: &[&str]) -> (KeyTable, FxHashMap<String, u32>) {
        let map: FxHashMap<String, u32> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.to_string(), u32::try_from(i).unwrap()))
            .collect();
        (KeyTable::new(&map), map)
    }

    #[test]
    fn finds_every_key_and_nothing_else() {
        let categories = [
            "Muslim Fashion",
            "Men's Fashion",
            "Women's Fashion",
            "Kids and Baby Fashion",
            "Food and Drink",
            "Party Supplies and Craft",
            "Books",
            "Movies and Music",
            "Beauty",
            "Body Care",
            "Health",
            "Toys and Hobbies",
            "Mother and Baby",
            "Electronics",
            "Computers and Laptops",
            "Phones and Tablets",
            "Camera",
            "Gaming",
            "Household",
            "Kitchen",
            "Automotive",
            "Sport",
            "Office & Stationery",
            "Animal Care",
            "Carpentry",
            "Precious Metal",
            "Property",
            "Tour and Travel",
            "Other Products",
            "",
            "5",
            "true",
        ];
        let (table, map) = table(&categories);
        assert!(matches!(table, KeyTable::Perfect { .. }));
        for key in categories {
            assert_eq!(table.get(key), map.get(key).copied(), "{key:?}");
        }
        for other in [
            "Book",
            "books",
            "Sports",
            "Food and Drinks",
            "6",
            "Men’s Fashion",
        ] {
            assert_eq!(table.get(other), None, "{other:?}");
        }
    }

    #[test]
    fn keys_no_seed_separates_go_to_a_map() {
        // Same length, first, middle and last bytes: only a full hash tells them apart.
        let (table, _) = table(&["axxxb", "ayxyb", "azxzb"]);
        assert!(matches!(table, KeyTable::Map(_)));
        assert_eq!(table.get("ayxyb"), Some(1));
        assert_eq!(table.get("awxwb"), None);
    }

    #[test]
    fn many_alike_keys_are_still_found() {
        let keys: Vec<String> = (0..500).map(|n| format!("category {n:03}")).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let (table, map) = table(&keys);
        for key in &keys {
            assert_eq!(table.get(key), map.get(*key).copied());
        }
    }
}
