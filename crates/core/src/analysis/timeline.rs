//! One customer's timeline in sessions, with the journey stage the customer had reached by the end of each.
//!
//! Definition: a session is a run of the customer's time-ordered events with gaps under 30 minutes; when two
//! neighbouring events both carry a session id (property `session_id`) a different id starts a new session
//! whatever the gap. The stage of a session is the highest stage of the journey definition entered at or before
//! the session's last event ([`StageModel::classify`] over the whole journey: entry times depend only on the
//! events up to them). Example: `view 10:00, view 10:20, purchase 11:00` is two sessions (a 40-minute gap), the
//! second at the purchase stage. Edge cases: no events → no sessions; a definition that does not read on these
//! events' names gives no stages. Reference: the stages report over the same journey (tests below).

use std::ops::Range;

use crate::analysis::matcher::EventView;
use crate::analysis::stages::{JourneyDefinition, StageModel};
use crate::dict::{DictCol, Dictionaries};
use crate::event::Event;
use crate::identity::ActorId;
use crate::journey::{EventAccess, Journey, RowRef, TextCol};

/// Two events this far apart (or more) are in different sessions.
pub const SESSION_GAP_MS: i64 = 30 * 60_000;

/// One session of a timeline: which events (indexes into the customer's events) and the stage reached by its end
/// (an index into the definition's stages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineSession {
    pub events: Range<usize>,
    pub stage: Option<usize>,
}

fn session_id(e: &Event) -> Option<String> {
    e.properties_map().get("session_id").map(crate::analysis::matcher::value_text)
}

/// The sessions of time-ordered `events`.
pub fn sessions(events: &[Event]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..events.len() {
        let (a, b) = (&events[i - 1], &events[i]);
        let other_id = matches!((session_id(a), session_id(b)), (Some(x), Some(y)) if x != y);
        if b.timestamp - a.timestamp >= SESSION_GAP_MS || other_id {
            out.push(start..i);
            start = i;
        }
    }
    if !events.is_empty() {
        out.push(start..events.len());
    }
    out
}

/// The sessions of time-ordered `events` with the stage of `definition` reached by the end of each.
pub fn timeline(definition: &JourneyDefinition, events: &[Event]) -> Vec<TimelineSession> {
    let entered = entered(definition, events);
    sessions(events)
        .into_iter()
        .map(|r| {
            let end = r.end.checked_sub(1).map_or(i64::MIN, |i| events[i].timestamp);
            let stage = entered.iter().rposition(|t| t.is_some_and(|t| t <= end));
            TimelineSession { events: r, stage }
        })
        .collect()
}

struct Owned<'a>(&'a [Event]);

impl EventAccess for Owned<'_> {
    fn event(&self, r: RowRef) -> Event {
        self.0.get(r.row as usize).cloned().unwrap_or_default()
    }

    fn text(&self, col: TextCol, r: RowRef) -> &str {
        let Some(e) = self.0.get(r.row as usize) else { return "" };
        match col {
            TextCol::MessageId => &e.message_id,
            TextCol::AnonymousId => &e.anonymous_id,
            TextCol::UserId => &e.user_id,
            TextCol::Referrer => &e.channel.referrer,
            TextCol::Properties => &e.properties,
            TextCol::Traits => &e.traits,
            TextCol::PageUrl => &e.context.page_url,
            TextCol::PageTitle => &e.context.page_title,
            TextCol::UserAgent => &e.context.user_agent,
            TextCol::Ip => &e.context.ip,
            TextCol::Locale => &e.context.locale,
        }
    }
}

fn dict_value(e: &Event, col: DictCol) -> &str {
    match col {
        DictCol::Name => &e.name,
        DictCol::Touchpoint => &e.touchpoint,
        DictCol::Source => &e.channel.source,
        DictCol::Medium => &e.channel.medium,
        DictCol::Campaign => &e.channel.campaign,
        DictCol::Term => &e.channel.term,
        DictCol::Content => &e.channel.content,
        DictCol::Channel => &e.channel.group,
        DictCol::Currency => &e.currency,
        DictCol::Country => &e.context.country,
        DictCol::City => &e.context.city,
    }
}

/// The entry time of each stage (`None`: not entered), over the customer's whole journey.
fn entered(definition: &JourneyDefinition, events: &[Event]) -> Vec<Option<i64>> {
    let mut dicts = Dictionaries::default();
    for e in events {
        for col in DictCol::ALL {
            if dicts.intern(col, dict_value(e, col)).is_err() {
                return Vec::new();
            }
        }
    }
    let Ok(model) = StageModel::new(definition, &dicts) else { return Vec::new() };
    let ts: Vec<i64> = events.iter().map(|e| e.timestamp).collect();
    let name: Vec<u16> = events.iter().map(|e| dicts.name_code(&e.name).unwrap_or(0)).collect();
    let cols: Vec<Vec<u32>> = DictCol::ALL
        .iter()
        .map(|&c| match c {
            DictCol::Name => Vec::new(),
            _ => events.iter().map(|e| dicts.get(c).code(dict_value(e, c)).unwrap_or(0)).collect(),
        })
        .collect();
    let mut dict: [&[u32]; DictCol::COUNT] = [&[]; DictCol::COUNT];
    for (i, d) in cols.iter().enumerate() {
        dict[i] = d;
    }
    let revenue: Vec<f64> = events.iter().map(|e| e.revenue.unwrap_or(f64::NAN)).collect();
    let kind: Vec<u8> = events.iter().map(|e| e.kind as u8).collect();
    let rows: Vec<RowRef> = (0..events.len()).map(|i| RowRef { part: 0, row: i as u32 }).collect();
    let access = Owned(events);
    let j = Journey {
        customer: ActorId(0),
        ts: &ts,
        name: &name,
        dict,
        revenue: &revenue,
        kind: &kind,
        rows: &rows,
        access: &access,
    };
    let c = model.classify(&mut EventView::new(&j, &dicts));
    c.entered[..model.len()].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(ts_min: i64, name: &str, session: Option<&str>) -> Event {
        let properties = session.map(|s| format!("{{\"session_id\":\"{s}\"}}")).unwrap_or_default();
        Event {
            timestamp: 1_780_000_000_000 + ts_min * 60_000,
            name: name.into(),
            user_id: "u1".into(),
            properties,
            ..Event::default()
        }
    }

    #[test]
    fn sessions_split_at_half_an_hour_or_a_new_session_id() {
        let events = [
            event(0, "page_view", None),
            event(29, "view_item", None),
            event(59, "add_to_cart", None),
            event(60, "page_view", Some("s1")),
            event(61, "page_view", Some("s2")),
        ];
        assert_eq!(sessions(&events), vec![0..2, 2..4, 4..5]);
        assert!(sessions(&[]).is_empty());
    }

    #[test]
    fn each_session_shows_the_stage_reached_by_its_end() {
        let def = JourneyDefinition::default_definition().unwrap();
        let events = [
            event(0, "page_view", None),
            event(100, "view_item", None),
            event(101, "add_to_cart", None),
            Event { revenue: Some(1500.0), ..event(300, "purchase", None) },
        ];
        let t = timeline(&def, &events);
        assert_eq!(t.iter().map(|s| s.events.clone()).collect::<Vec<_>>(), vec![0..1, 1..3, 3..4]);
        let keys: Vec<Option<&str>> = t.iter().map(|s| s.stage.map(|i| def.stages[i].key.as_str())).collect();
        assert_eq!(keys, [Some("awareness"), Some("consideration"), Some("purchase")]);
    }
}
