//! Domain types and pure journey analyses of tropa.
//!
//! Everything here is pure: no file system, no threads, no clock (`now` is always a parameter).
//! Calendar days, ISO weeks and months are those of a [`calendar::Calendar`] — a project's IANA time zone
//! (default UTC) — passed in each spec that buckets time.
//! The data flows **message → [`Event`] → identity → journey → fold**:
//!
//! ```
//! use tropa_core::message::{parse_message, ParseContext};
//! let json = serde_json::json!({
//!     "type": "track", "event": "add_to_cart", "userId": "u1",
//!     "timestamp": "2026-01-02T10:00:00Z", "messageId": "m-1",
//!     "properties": {"price": 990}
//! });
//! let ev = parse_message(&json, &ParseContext::at(1_767_350_000_000)).unwrap();
//! assert_eq!(ev.name, "add_to_cart");
//! assert_eq!(ev.user_id, "u1");
//! ```

pub mod analysis;
pub mod calendar;
pub mod catalog;
pub mod channel;
pub mod cjm;
pub mod date_range;
pub mod dict;
pub mod error;
pub mod event;
pub mod fold;
pub mod identity;
pub mod journey;
pub mod lang;
pub mod message;
pub mod settings;
pub mod suggest;
pub mod survey;
pub mod text_error;
pub mod time;
pub mod useragent;

pub use dict::{Dict, DictCol, Dictionaries};
pub use error::{CoreError, FieldError};
pub use event::{Event, MessageKind, Timestamp};
pub use fold::{CountFold, Counts, JourneyFold};
pub use identity::{ActorId, Identity, Merge};
pub use journey::{Columns, EventAccess, Journey, RowRef, TextCol};
