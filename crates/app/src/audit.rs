//! The audit log as the adapters write and read it: who ([`Who`]: a signed-in user with their e-mail at the time
//! and the client's address, or the command line with the operating system's user name), what ([`Done`]: an
//! [`Action`], the project, the target and a small JSON object of details), and when. The CLI and the web app call
//! [`record`] after each change they make to projects, keys, users, maps, personas, journey definitions and data;
//! [`crate::forget`] records the deletion of a customer itself.
//!
//! Never a secret and never a customer's data: a key is named by its hint, a share link by its hint, a user by
//! their e-mail, a forgotten customer by a salted digest ([`tropa_meta::repository::Audit::customer_digest`]) and counts. The
//! metadata store scrubs anything shaped like a secret again before it stores an entry.
//!
//! ```
//! use tropa_app::audit::{self, Action, Done, Filter, Who};
//! let dir = tempfile::tempdir()?;
//! let meta = tropa_app::layout::open_meta(dir.path())?;
//! let who = Who::cli("ops");
//! audit::record(&meta, &who, Done::new(Action::ProjectCreate, Some("shop"), "shop"), 1_000)?;
//! let last = audit::list(&meta, &Filter { limit: 10, ..Filter::default() })?;
//! assert_eq!((last[0].action, last[0].address.as_str()), (Action::ProjectCreate, "cli"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::net::IpAddr;

use serde_json::Value;
use tropa_meta::audit::NewEntry;
use tropa_meta::Meta;

use crate::AppError;

pub use tropa_meta::audit::{Action, Actor, Entry, Filter, MAX_LIMIT};

/// The address of entries made at the command line.
pub const CLI_ADDRESS: &str = "cli";

/// Who did something and from where; each adapter says it its own way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    pub actor: Actor,
    /// The client's address (web app), [`CLI_ADDRESS`], or "" when unknown.
    pub address: String,
}

impl Who {
    /// A signed-in user of the web app at `address` (`None`: unknown).
    pub fn user(id: i64, email: &str, address: Option<IpAddr>) -> Who {
        Who {
            actor: Actor::User { id, email: email.to_string() },
            address: address.map(|a| a.to_string()).unwrap_or_default(),
        }
    }

    /// Someone at the command line, logged in to the machine as `os_user` ("" when not known).
    pub fn cli(os_user: &str) -> Who {
        Who { actor: Actor::Cli { os_user: os_user.to_string() }, address: CLI_ADDRESS.into() }
    }

    /// tropa itself.
    pub fn system() -> Who {
        Who { actor: Actor::System, address: String::new() }
    }
}

/// What was done, in which project, to what.
#[derive(Debug, Clone, PartialEq)]
pub struct Done<'a> {
    pub action: Action,
    pub project: Option<&'a str>,
    /// A key's hint, a user's e-mail, a map as `#id title` ([`map_target`]), a persona's key, a digest.
    pub target: String,
    /// A small JSON object; `{}` when there is nothing to add.
    pub details: Value,
}

impl<'a> Done<'a> {
    pub fn new(action: Action, project: Option<&'a str>, target: impl Into<String>) -> Done<'a> {
        Done { action, project, target: target.into(), details: Value::Object(Default::default()) }
    }

    /// The same with `details` (a JSON object).
    pub fn with(self, details: Value) -> Done<'a> {
        Done { details, ..self }
    }
}

/// A map as the target of an entry: `#12 Title` (`#12` when the title is unknown).
pub fn map_target(id: i64, title: Option<&str>) -> String {
    match title.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => format!("#{id} {t}"),
        None => format!("#{id}"),
    }
}

/// Appends an entry at `now` (epoch ms); returns its id.
pub fn record(meta: &Meta, who: &Who, done: Done<'_>, now: i64) -> Result<i64, AppError> {
    let details = done.details.to_string();
    let entry = NewEntry {
        at: now,
        actor: &who.actor,
        address: &who.address,
        action: done.action,
        project: done.project,
        target: &done.target,
        details: &details,
    };
    Ok(meta.record_audit(&entry)?)
}

/// Entries, newest first (see [`Filter`]).
pub fn list(meta: &Meta, filter: &Filter) -> Result<Vec<Entry>, AppError> {
    Ok(meta.audit(filter)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entries_keep_who_from_where_what_and_details() {
        let dir = tempfile::tempdir().unwrap();
        let meta = crate::layout::open_meta(dir.path()).unwrap();
        let web = Who::user(3, "maria@x.ru", Some("2001:db8::7".parse().unwrap()));
        let done = Done::new(Action::MapDelete, Some("default"), map_target(12, Some("Shop"))).with(json!({"map": 12}));
        record(&meta, &web, done, 5).unwrap();
        record(&meta, &Who::cli(""), Done::new(Action::DefinitionReset, Some("default"), ""), 6).unwrap();
        record(&meta, &Who::system(), Done::new(Action::UserCreate, None, "a@b.ru"), 7).unwrap();
        let all = list(&meta, &Filter { limit: 10, ..Filter::default() }).unwrap();
        assert_eq!(all.len(), 3);
        let e = &all[2];
        assert_eq!(e.actor, Actor::User { id: 3, email: "maria@x.ru".into() });
        assert_eq!((e.address.as_str(), e.target.as_str(), e.at), ("2001:db8::7", "#12 Shop", 5));
        assert_eq!(serde_json::from_str::<Value>(&e.details).unwrap(), json!({"map": 12}));
        assert_eq!((all[1].address.as_str(), all[1].details.as_str()), ("cli", "{}"));
        assert_eq!((all[0].actor.clone(), all[0].project.as_deref()), (Actor::System, None));
        assert_eq!(map_target(4, Some(" ")), "#4");
    }
}
