//! The listings loaded into a session, and which one is current.

use serde_json::Value as Json;

/// One listing, or why its record could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub json: Result<Json, String>,
    /// Where it came from: `FILE line N`, or `typed`.
    pub origin: String,
}

impl Listing {
    /// How the listing is called in messages: its `id`, else its place.
    pub fn name(&self, position: usize) -> String {
        match self.json.as_ref().ok().and_then(|j| j.get("id")) {
            Some(Json::String(id)) => id.clone(),
            Some(id @ Json::Number(_)) => id.to_string(),
            _ => format!("listing {}", position + 1),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Listings {
    items: Vec<Listing>,
    current: usize,
    /// A single listing is in view: typed, or reached with `:next`/`:prev`. A
    /// catalogue just loaded is seen whole until one of its listings is picked.
    picked: bool,
}

impl Listings {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn all(&self) -> &[Listing] {
        &self.items
    }

    /// The current listing and its position.
    pub fn current(&self) -> Option<(usize, &Listing)> {
        self.items.get(self.current).map(|l| (self.current, l))
    }

    /// True when one listing is in view rather than a whole catalogue.
    pub fn is_picked(&self) -> bool {
        self.picked || self.items.len() == 1
    }

    /// Adds a listing at the end and makes it current.
    pub fn push(&mut self, listing: Listing) {
        self.items.push(listing);
        self.current = self.items.len() - 1;
        self.picked = true;
    }

    /// Replaces every listing; the first becomes current, none is picked yet.
    pub fn replace(&mut self, items: Vec<Listing>) {
        self.items = items;
        self.current = 0;
        self.picked = false;
    }

    /// Moves one listing forward or back and picks it; from a catalogue just
    /// loaded, forward picks the first and back the last. False at either end.
    pub fn step(&mut self, forward: bool) -> bool {
        let next = match (self.picked, forward) {
            (false, true) => 0,
            (false, false) => self.items.len().wrapping_sub(1),
            (true, true) => self.current + 1,
            (true, false) => self.current.wrapping_sub(1),
        };
        if next < self.items.len() {
            self.current = next;
            self.picked = true;
            true
        } else {
            false
        }
    }

    pub fn clear(&mut self) {
        self.items.clear();
        self.current = 0;
        self.picked = false;
    }

    /// `LZ-1 (2 of 8)`, or just the name when there is one listing.
    pub fn describe_current(&self) -> String {
        match self.current() {
            Some((i, listing)) if self.items.len() > 1 => {
                format!("{} ({} of {})", listing.name(i), i + 1, self.items.len())
            }
            Some((i, listing)) => listing.name(i),
            None => "no listing".into(),
        }
    }
}

/// A listing on one line, cut to about `width` characters.
pub fn one_line(json: &Json, width: usize) -> String {
    let text = json.to_string();
    if text.chars().count() <= width {
        return text;
    }
    let cut: String = text.chars().take(width.saturating_sub(1)).collect();
    format!("{cut}…")
}
