//! Reading only what the policy reads: an NDJSON line is parsed into the plan's
//! field slots, and every other value is skipped without being built.
//!
//! Skipping a value unread checks less than a full parse does (UTF-8, escapes,
//! number range, nesting depth). A quick look at the line's bytes finds the rare
//! lines where that could matter, and those are checked in full, so a line is
//! rejected exactly when a full parse would reject it, with the full parse's
//! message.

use std::fmt;

use serde::de::{
    Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
};

mod scan;

use super::parse_object;
use crate::json::{Broken, Found, NUMBER_TOKEN, Val, describe, find};
use crate::plan::Plan;

/// The plan's field paths as a tree of object keys.
#[derive(Debug, Default)]
pub struct Projection {
    root: Node,
    slots: usize,
    /// Slots inside another slot's value (`price` and `price.amount` both read):
    /// (slot, the enclosing slot and its path, the rest of the path).
    nested: Vec<(usize, usize, String, Vec<String>)>,
}

/// One line read into the plan's slots.
#[derive(Debug, Default)]
pub struct Projected<'a> {
    pub slots: Vec<Option<Val<'a>>>,
    /// The slots whose path went through a value that is not an object.
    pub broken: Vec<(usize, Broken)>,
}

#[derive(Debug, Default)]
struct Node {
    /// The dotted path to this node.
    path: String,
    slot: Option<usize>,
    children: Vec<(String, Node)>,
    /// Every slot below this node: emptied when its key appears again, since the
    /// last value of a repeated key is the one that counts.
    below: Vec<usize>,
}

impl Projection {
    pub fn new(plan: &Plan) -> Self {
        let mut paths = vec![&[][..]; plan.fields().len()];
        for field in plan.fields() {
            if let Some(path) = paths.get_mut(field.slot) {
                *path = &field.segments[..];
            }
        }
        Projection::of_paths(&paths)
    }

    /// Reads each of `paths` (split into keys) into the slot of its index: the
    /// fields of several plans at once (see [`crate::review`]).
    pub fn of_paths(paths: &[&[String]]) -> Self {
        let mut projection = Projection {
            slots: paths.len(),
            ..Projection::default()
        };
        let mut order: Vec<(usize, &[String])> = paths.iter().copied().enumerate().collect();
        order.sort_by_key(|(_, segments)| segments.len());
        for (slot, segments) in order {
            if !segments.is_empty() {
                projection.insert(segments, slot);
            }
        }
        projection
    }

    fn insert(&mut self, segments: &[String], slot: usize) {
        let mut node = &mut self.root;
        for (depth, segment) in segments.iter().enumerate() {
            if let Some(enclosing) = node.slot {
                let rest = segments.get(depth..).unwrap_or_default().to_vec();
                self.nested.push((slot, enclosing, node.path.clone(), rest));
                return;
            }
            let index = match node.children.iter().position(|(k, _)| k == segment) {
                Some(i) => i,
                None => {
                    let path = segments.get(..=depth).unwrap_or_default().join(".");
                    let child = Node {
                        path,
                        ..Node::default()
                    };
                    node.children.push((segment.clone(), child));
                    node.children.len() - 1
                }
            };
            node = match node.children.get_mut(index) {
                Some((_, child)) => child,
                None => return,
            };
            node.below.push(slot);
        }
        node.slot = Some(slot);
    }

    /// The slots of one NDJSON line, or why the line is not a listing.
    pub fn parse<'a>(&self, bytes: &'a [u8]) -> Result<Projected<'a>, String> {
        let mut projected = match scan::project(&self.root, self.slots, bytes) {
            Some(projected) => projected,
            None => self.read_with_serde(bytes)?,
        };
        self.fill_nested(&mut projected);
        Ok(projected)
    }

    /// As [`Projection::parse`], by serde alone: what the fast reader is
    /// tested against.
    #[doc(hidden)]
    pub fn parse_with_serde<'a>(&self, bytes: &'a [u8]) -> Result<Projected<'a>, String> {
        let mut projected = self.read_with_serde(bytes)?;
        self.fill_nested(&mut projected);
        Ok(projected)
    }

    /// The reader of every line the fast one gives up on.
    fn read_with_serde<'a>(&self, bytes: &'a [u8]) -> Result<Projected<'a>, String> {
        let mut projected = Projected {
            slots: vec![None; self.slots],
            broken: Vec::new(),
        };
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let seed = NodeSeed {
            node: &self.root,
            out: &mut projected,
        };
        let read = seed
            .deserialize(&mut de)
            .and_then(|shape| de.end().map(|()| shape));
        let checked =
            matches!(read, Ok(Shape::Object)) && (!needs_full_check(bytes) || full_check(bytes));
        match checked {
            true => Ok(projected),
            false => Err(parse_object(bytes)
                .err()
                .unwrap_or_else(|| "invalid listing".into())),
        }
    }

    /// Slots inside another slot's value, read from it.
    fn fill_nested(&self, projected: &mut Projected<'_>) {
        for (slot, enclosing, path, rest) in &self.nested {
            let inner = projected.slots.get(*enclosing).and_then(Option::as_ref);
            let value = match inner.map(|v| find(v, rest)) {
                Some(Found::Value(value)) => Some(value.clone()),
                Some(Found::Broken(broken)) => {
                    let at = match broken.at.as_str() {
                        "" => path.clone(),
                        more => format!("{path}.{more}"),
                    };
                    projected.broken.push((*slot, Broken { at, ..broken }));
                    None
                }
                _ => None,
            };
            if let Some(slot) = projected.slots.get_mut(*slot) {
                *slot = value;
            }
        }
    }
}

/// What a value read at a node was: its slots are filled only from an object.
enum Shape {
    Object,
    /// `null`: what is below it is missing.
    Null,
    /// Anything else, described: what is below it cannot be read.
    Other(String),
}

/// Reads one value at `node`: an object's wanted keys into slots, the rest
/// skipped. Yields the value's shape.
struct NodeSeed<'s, 'de> {
    node: &'s Node,
    out: &'s mut Projected<'de>,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_, 'de> {
    type Value = Shape;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Shape, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_, 'de> {
    type Value = Shape;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        while let Some(key) = map.next_key_seed(KeySeed(self.node))? {
            let child = match key {
                Key::Child(i) => self.node.children.get(i).map(|(_, n)| n),
                Key::Other => None,
                // A number, handed over as a map of one entry: not an object.
                Key::Number => {
                    let text = map.next_value::<std::borrow::Cow<'de, str>>()?;
                    return Ok(Shape::Other(format!("the number {text}")));
                }
            };
            match child {
                Some(Node {
                    slot: Some(slot), ..
                }) => {
                    // `null` is missing: leave the slot empty, as a lookup would.
                    let value = map.next_value::<Val<'de>>()?;
                    if let Some(slot) = self.out.slots.get_mut(*slot) {
                        *slot = (value != Val::Null).then_some(value);
                    }
                }
                Some(node) => {
                    // A repeated key: the last value is the one that counts.
                    for slot in &node.below {
                        if let Some(slot) = self.out.slots.get_mut(*slot) {
                            *slot = None;
                        }
                    }
                    if !self.out.broken.is_empty() {
                        self.out.broken.retain(|(s, _)| !node.below.contains(s));
                    }
                    let shape = map.next_value_seed(NodeSeed {
                        node,
                        out: &mut *self.out,
                    })?;
                    if let Shape::Other(found) = shape {
                        for slot in &node.below {
                            let broken = Broken {
                                at: node.path.clone(),
                                found: found.clone(),
                            };
                            self.out.broken.push((*slot, broken));
                        }
                    }
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Shape::Object)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Shape::Other("a list".into()))
    }

    fn visit_bool<E>(self, b: bool) -> Result<Shape, E> {
        Ok(Shape::Other(format!("the boolean {b}")))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Shape, E> {
        Ok(Shape::Other(format!("the number {n}")))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Shape, E> {
        Ok(Shape::Other(format!("the number {n}")))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Shape, E> {
        Ok(Shape::Other(format!("the number {n}")))
    }
    fn visit_str<E>(self, s: &str) -> Result<Shape, E> {
        Ok(Shape::Other(describe(&Val::Str(s.into()))))
    }
    fn visit_unit<E>(self) -> Result<Shape, E> {
        Ok(Shape::Null)
    }
}

/// What an object key is to a node.
enum Key {
    /// The index of the child it names.
    Child(usize),
    /// A key the policy does not read.
    Other,
    /// Not a key: serde_json handing over a number (see [`NUMBER_TOKEN`]).
    Number,
}

/// Finds an object key among a node's children without allocating it.
struct KeySeed<'s>(&'s Node);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, key: &str) -> Result<Key, E> {
        if key == NUMBER_TOKEN {
            return Ok(Key::Number);
        }
        Ok(self
            .0
            .children
            .iter()
            .position(|(k, _)| k == key)
            .map_or(Key::Other, Key::Child))
    }
}

/// Whether a line holds anything a full parse rejects and skipping does not
/// notice: bytes that are not UTF-8, a `\u` escape (a surrogate alone?), nesting
/// past serde_json's limit. Nearly every listing has none, and these tests run at
/// memory speed; a line that might is checked in full.
///
/// Numbers are the one thing not looked at: a number too large for a double
/// (`1e400`) is valid JSON that a full parse cannot hold; skipped unread, it does
/// not stop the listing being decided (README, "Speed").
fn needs_full_check(bytes: &[u8]) -> bool {
    (!bytes.is_ascii() && std::str::from_utf8(bytes).is_err())
        || memchr::memmem::find(bytes, b"\\u").is_some()
        || memchr::memchr2_iter(b'[', b'{', bytes).nth(100).is_some()
}

/// The full parse's verdict on a line, without building it.
fn full_check(bytes: &[u8]) -> bool {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    Skip::deserialize(&mut de).and_then(|_| de.end()).is_ok()
}

/// A value the policy does not read, read only to be checked: going through
/// `deserialize_any` makes serde_json decode its strings and escapes, parse its
/// numbers and count its depth, as a full parse does (skipping it unread would
/// accept lines a full parse rejects).
struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Skip, D::Error> {
        deserializer.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_key::<Skip>()?.is_some() {
            map.next_value::<Skip>()?;
        }
        Ok(Skip)
    }
}
