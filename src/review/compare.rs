//! Two policy sets (or one on two dates) over one catalogue: each listing is
//! parsed once, with the fields both sides read, and decided by each side in
//! the same pass.

use std::collections::HashMap;
use std::io;

use serde_json::Value as Json;

use crate::batch::{Job, Sink, run};
use crate::eval::{Borrowed, Decider, Decision, EvalError, Listing};
use crate::input::projection::Projection;
use crate::input::{Input, Record};
use crate::json::Node;

/// Which side of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Before,
    After,
}

/// What is kept of each listing's two decisions.
pub trait CollectPairs: Sync {
    type Part: Send;

    /// An empty part for a task of up to `records` records.
    fn part(&self, records: usize) -> Self::Part;

    /// A listing, its `id` and `title` when it has them, and its decision
    /// before and after (or why there is none).
    fn pair<N: Node>(&self, part: &mut Self::Part, pair: Pair<'_, N>);

    /// A record that is not a listing: not JSON, or not an object.
    fn unreadable(&self, part: &mut Self::Part, line: usize, error: &str);
}

/// One listing's two decisions.
pub struct Pair<'a, N> {
    pub line: usize,
    pub id: Option<&'a N>,
    pub title: Option<&'a N>,
    pub before: Result<&'a Decision, &'a EvalError>,
    pub after: Result<&'a Decision, &'a EvalError>,
}

/// The job of deciding every listing under both sides.
pub struct Compare<'p, C> {
    before: Decider<'p>,
    after: Decider<'p>,
    /// The rules the before side takes from the after side's decisions.
    borrowed: Borrowed,
    projection: Projection,
    /// Where each side's slots are among the projection's.
    maps: [Vec<usize>; 2],
    id: usize,
    title: usize,
    collect: C,
}

/// A task's working decisions and what its collector kept.
pub struct Paired<P> {
    before: Decision,
    after: Decision,
    pub collected: P,
}

impl<'p, C: CollectPairs> Compare<'p, C> {
    pub fn new(before: Decider<'p>, after: Decider<'p>, collect: C) -> Self {
        let mut paths = Paths::default();
        let maps = [before.plan(), after.plan()].map(|plan| {
            let mut map = vec![0; plan.fields().len()];
            for field in plan.fields() {
                if let Some(at) = map.get_mut(field.slot) {
                    *at = paths.slot_of(&field.segments);
                }
            }
            map
        });
        let id = paths.slot_of(&["id".to_string()]);
        let title = paths.slot_of(&["title".to_string()]);
        let paths: Vec<&[String]> = paths.all.iter().map(Vec::as_slice).collect();
        Compare {
            projection: Projection::of_paths(&paths),
            borrowed: before.borrowing(&after),
            before,
            after,
            maps,
            id,
            title,
            collect,
        }
    }

    pub fn decider(&self, side: Side) -> &Decider<'p> {
        match side {
            Side::Before => &self.before,
            Side::After => &self.after,
        }
    }

    pub fn collector(&self) -> &C {
        &self.collect
    }

    /// Decides every record of `input` under both sides, handing what the
    /// collector kept to `sink` in input order.
    pub fn run(&self, input: Input, sink: &mut Sink<'_, C::Part>) -> io::Result<()> {
        run(self, input, &mut |part: Paired<C::Part>| {
            sink(part.collected)
        })
    }
}

impl<'p, C> Compare<'p, C> {
    /// The before side's decision, taking the rules both sides share from the
    /// after side's decision when there is one.
    fn before_side<'d, N: Node>(
        &self,
        listing: &Listing<N>,
        after: Option<&Decision>,
        decision: &'d mut Decision,
    ) -> Result<&'d Decision, EvalError> {
        match after {
            Some(theirs) => self
                .before
                .decide_borrowing(listing, &self.borrowed, theirs, decision),
            None => self.before.decide_into(listing, decision),
        }
        .map(|()| &*decision)
    }
}

/// The field paths of both sides, each once.
#[derive(Default)]
struct Paths {
    all: Vec<Vec<String>>,
    slots: HashMap<Vec<String>, usize>,
}

impl Paths {
    /// The slot of `segments`, added if it is not there yet.
    fn slot_of(&mut self, segments: &[String]) -> usize {
        if let Some(slot) = self.slots.get(segments) {
            return *slot;
        }
        self.all.push(segments.to_vec());
        self.slots.insert(segments.to_vec(), self.all.len() - 1);
        self.all.len() - 1
    }
}

impl<C: CollectPairs> Job for Compare<'_, C> {
    type Part = Paired<C::Part>;

    fn part(&self, records: usize) -> Self::Part {
        Paired {
            before: Decision::default(),
            after: Decision::default(),
            collected: self.collect.part(records),
        }
    }

    fn line(&self, part: &mut Self::Part, line: usize, bytes: &[u8]) {
        let projected = match self.projection.parse(bytes) {
            Ok(projected) => projected,
            Err(error) => return self.collect.unreadable(&mut part.collected, line, &error),
        };
        let [before_map, after_map] = &self.maps;
        let Paired {
            before,
            after,
            collected,
        } = part;
        let new = Listing::mapped(&projected, after_map);
        let after = self.after.decide_into(&new, after).map(|()| &*after);
        let old = Listing::mapped(&projected, before_map);
        let before = self.before_side(&old, after.as_ref().ok().copied(), before);
        let slot = |at: usize| projected.slots.get(at).and_then(Option::as_ref);
        let pair = Pair {
            line,
            id: slot(self.id),
            title: slot(self.title),
            before: before.as_ref().map(|d| *d),
            after: after.as_ref().map(|d| *d),
        };
        self.collect.pair(collected, pair);
    }

    fn record(&self, part: &mut Self::Part, record: &Record) {
        let json = match &record.listing {
            Ok(json) => json,
            Err(error) => {
                return self
                    .collect
                    .unreadable(&mut part.collected, record.line, error);
            }
        };
        let after = self
            .after
            .decide(&Listing::from_json(self.after.plan(), json));
        let mut decision = Decision::default();
        let old = Listing::from_json(self.before.plan(), json);
        let before = self.before_side(&old, after.as_ref().ok(), &mut decision);
        let pair: Pair<'_, Json> = Pair {
            line: record.line,
            id: json.get("id"),
            title: json.get("title"),
            before: before.as_ref().map(|d| *d),
            after: after.as_ref(),
        };
        self.collect.pair(&mut part.collected, pair);
    }
}
