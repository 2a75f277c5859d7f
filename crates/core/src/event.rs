//! The event: one touchpoint of one actor at one moment.
//!
//! Strings use the empty string for "absent"; parsers normalise `null` and missing fields to it.

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch, UTC.
pub type Timestamp = i64;

/// The Segment message type the event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum MessageKind {
    #[default]
    Track = 0,
    Page = 1,
    Screen = 2,
    Identify = 3,
    Alias = 4,
    Group = 5,
}

impl MessageKind {
    pub const ALL: [MessageKind; 6] = [
        MessageKind::Track,
        MessageKind::Page,
        MessageKind::Screen,
        MessageKind::Identify,
        MessageKind::Alias,
        MessageKind::Group,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Track => "track",
            MessageKind::Page => "page",
            MessageKind::Screen => "screen",
            MessageKind::Identify => "identify",
            MessageKind::Alias => "alias",
            MessageKind::Group => "group",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        MessageKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn from_u8(v: u8) -> Option<Self> {
        MessageKind::ALL.get(v as usize).copied()
    }

    /// The event name given to messages that carry none of their own.
    pub fn default_name(self) -> &'static str {
        match self {
            MessageKind::Track => "",
            MessageKind::Page => "page_view",
            MessageKind::Screen => "screen_view",
            MessageKind::Identify => "identify",
            MessageKind::Alias => "alias",
            MessageKind::Group => "group",
        }
    }
}

/// Marketing attribution of an event (UTM tags and referrer) and the derived channel group.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Channel {
    pub source: String,
    pub medium: String,
    pub campaign: String,
    pub term: String,
    pub content: String,
    pub referrer: String,
    /// Channel group derived by [`crate::channel::classify`] (e.g. `paid_search`, `organic_search`, `email`).
    pub group: String,
}

/// Where the event happened: page, device, place.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Context {
    pub page_url: String,
    pub page_title: String,
    pub user_agent: String,
    pub ip: String,
    pub country: String,
    pub city: String,
    pub locale: String,
}

/// One event as stored. `anonymous_id` or `user_id` (at least one) names the actor.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Event {
    /// Deduplication key; two events with the same message id are one event.
    pub message_id: String,
    pub kind: MessageKind,
    /// When it happened (client clock, corrected for skew where possible), epoch ms.
    pub timestamp: Timestamp,
    /// When tropa received it, epoch ms.
    pub received_at: Timestamp,
    pub anonymous_id: String,
    pub user_id: String,
    /// Event name: `event` of a track call, `page_view` for pages, `identify` for identify calls, …
    pub name: String,
    /// Touchpoint: web, app, email, ads, store, call_center, support, social, …
    pub touchpoint: String,
    pub channel: Channel,
    /// Revenue of the event, if any (NaN is never stored: absent is `None`).
    pub revenue: Option<f64>,
    pub currency: String,
    /// Event properties as a compact JSON object text (`{}` when empty).
    pub properties: String,
    /// Traits given with identify calls, compact JSON object text (`{}` when empty).
    pub traits: String,
    pub context: Context,
}

impl Event {
    /// The identifier the event is filed under: the user id if known, else the anonymous id.
    pub fn actor(&self) -> &str {
        if self.user_id.is_empty() {
            &self.anonymous_id
        } else {
            &self.user_id
        }
    }

    /// Parsed properties (an empty map if the stored text is not an object).
    pub fn properties_map(&self) -> serde_json::Map<String, serde_json::Value> {
        parse_object(&self.properties)
    }

    /// Parsed traits (an empty map if the stored text is not an object).
    pub fn traits_map(&self) -> serde_json::Map<String, serde_json::Value> {
        parse_object(&self.traits)
    }
}

fn parse_object(text: &str) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::from_str(text) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    }
}

/// The key used to recognise a message sent twice: a 64-bit hash of its message id.
///
/// Two distinct message ids collide with probability about n²/2⁶⁵ (≈ 3·10⁻⁴ for 10⁸ events),
/// which is the price of an in-memory index of 8 bytes per event.
pub fn message_key(message_id: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(message_id.as_bytes())
}
