//! One customer's journey as the scan hands it to a fold: time-ordered columns, zero-copy where possible.
//!
//! Only the columns a scan asked for (see [`Columns`]) are filled; the others are empty slices.
//! Events with equal timestamps keep the order in which they were ingested.

use crate::dict::DictCol;
use crate::event::Event;
use crate::identity::ActorId;

/// Where one event of a journey is stored (engine-specific coordinates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct RowRef {
    pub part: u32,
    pub row: u32,
}

/// Text (non-dictionary) columns that can be read per event through [`EventAccess::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextCol {
    MessageId = 0,
    AnonymousId = 1,
    UserId = 2,
    Referrer = 3,
    Properties = 4,
    Traits = 5,
    PageUrl = 6,
    PageTitle = 7,
    UserAgent = 8,
    Ip = 9,
    Locale = 10,
}

impl TextCol {
    pub const COUNT: usize = 11;
    pub const ALL: [TextCol; TextCol::COUNT] = [
        TextCol::MessageId,
        TextCol::AnonymousId,
        TextCol::UserId,
        TextCol::Referrer,
        TextCol::Properties,
        TextCol::Traits,
        TextCol::PageUrl,
        TextCol::PageTitle,
        TextCol::UserAgent,
        TextCol::Ip,
        TextCol::Locale,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TextCol::MessageId => "message_id",
            TextCol::AnonymousId => "anonymous_id",
            TextCol::UserId => "user_id",
            TextCol::Referrer => "referrer",
            TextCol::Properties => "properties",
            TextCol::Traits => "traits",
            TextCol::PageUrl => "page_url",
            TextCol::PageTitle => "page_title",
            TextCol::UserAgent => "user_agent",
            TextCol::Ip => "ip",
            TextCol::Locale => "locale",
        }
    }
}

/// Reads whole events or single text cells by [`RowRef`].
pub trait EventAccess: Sync {
    /// The complete event stored at `row`.
    fn event(&self, row: RowRef) -> Event;
    /// One text cell of the event at `row` ("" when absent).
    fn text(&self, col: TextCol, row: RowRef) -> &str;
}

/// Which columns a scan fills in, beyond time and event name (always present).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Columns(u32);

impl Columns {
    pub const NONE: Columns = Columns(0);
    /// [`Journey::rows`]: coordinates for [`EventAccess`].
    pub const ROWS: Columns = Columns(1 << 20);
    pub const REVENUE: Columns = Columns(1 << 21);
    pub const KIND: Columns = Columns(1 << 22);
    pub const ALL: Columns = Columns(u32::MAX);

    pub const fn dict(col: DictCol) -> Columns {
        Columns(1 << col as u32)
    }

    pub const fn with(self, other: Columns) -> Columns {
        Columns(self.0 | other.0)
    }

    pub const fn has(self, other: Columns) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn has_dict(self, col: DictCol) -> bool {
        self.has(Columns::dict(col))
    }
}

/// One customer's events in time order, column by column.
#[derive(Clone, Copy)]
pub struct Journey<'a> {
    /// The customer: the smallest actor id of its identity set.
    pub customer: ActorId,
    /// Event times, epoch ms, non-decreasing.
    pub ts: &'a [i64],
    /// Event name codes (see [`crate::Dictionaries::name`]).
    pub name: &'a [u16],
    /// Dictionary codes per [`DictCol`] (index `DictCol as usize`); empty unless requested. `Name` is always empty
    /// here (use [`Journey::name`]).
    pub dict: [&'a [u32]; DictCol::COUNT],
    /// Revenue per event, NaN where absent; empty unless requested.
    pub revenue: &'a [f64],
    /// Message kind per event (`MessageKind as u8`); empty unless requested.
    pub kind: &'a [u8],
    /// Row coordinates per event; empty unless requested.
    pub rows: &'a [RowRef],
    /// Reads whole events and text cells.
    pub access: &'a dyn EventAccess,
}

impl<'a> Journey<'a> {
    pub fn len(&self) -> usize {
        self.ts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ts.is_empty()
    }

    /// The dictionary codes of `col` (empty unless the scan asked for it).
    pub fn codes(&self, col: DictCol) -> &'a [u32] {
        self.dict[col as usize]
    }

    /// The events `range` of this journey (every filled column sliced alike).
    pub fn slice(&self, range: std::ops::Range<usize>) -> Journey<'a> {
        fn cut<'c, T>(col: &'c [T], r: &std::ops::Range<usize>) -> &'c [T] {
            if col.is_empty() {
                col
            } else {
                &col[r.clone()]
            }
        }
        let mut dict = self.dict;
        for d in dict.iter_mut() {
            *d = cut(d, &range);
        }
        Journey {
            customer: self.customer,
            ts: &self.ts[range.clone()],
            name: &self.name[range.clone()],
            dict,
            revenue: cut(self.revenue, &range),
            kind: cut(self.kind, &range),
            rows: cut(self.rows, &range),
            access: self.access,
        }
    }

    /// The index range of the events with `from <= ts < to` (times are sorted, so it is contiguous).
    pub fn time_range(&self, from: Option<i64>, to: Option<i64>) -> std::ops::Range<usize> {
        let lo = from.map_or(0, |f| self.ts.partition_point(|&t| t < f));
        let hi = to.map_or(self.ts.len(), |t| self.ts.partition_point(|&x| x < t));
        lo..hi.max(lo)
    }

    /// Materialises every event (needs [`Columns::ROWS`]).
    pub fn events(&self) -> Vec<Event> {
        self.rows.iter().map(|&r| self.access.event(r)).collect()
    }
}
