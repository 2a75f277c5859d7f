//! The audit log: who did what to projects, keys, users, maps, personas, journey definitions and data, when and
//! from where. Append-only: there is no API to change or remove an entry, and triggers refuse `UPDATE` and
//! `DELETE` on the table. Entries outlive what they name (no foreign keys): a deleted user's actions stay theirs.
//!
//! An entry never holds a secret or a customer's data. The callers pass key hints, e-mails, map ids and counts;
//! as a second line of defence every text is scrubbed of anything shaped like one of tropa's secrets (API keys
//! `tw_…`/`tr_…`, share tokens `sh_…`, session and CSRF tokens) before it is stored. A forgotten customer is
//! named by [`crate::repository::Audit::customer_digest`]: SHA-256 of a random salt made once per data folder (kept here, never
//! shown) and the id, so the log can say "this customer was forgotten" without keeping who they were.

use serde::Serialize;

/// What was done. Stored as its dotted name ([`Action::as_str`]); the list is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ProjectCreate,
    /// A project's time zone or currency changed.
    ProjectSettings,
    KeyCreate,
    KeyRevoke,
    UserCreate,
    UserRole,
    /// An admin (or the command line) gave a user a new password.
    UserPasswordReset,
    /// A user changed their own password.
    UserPasswordChange,
    UserDelete,
    /// A user made a member of a project, or their role there changed.
    MemberSet,
    /// A user's membership of a project ended.
    MemberRemove,
    MapCreate,
    MapImport,
    MapDelete,
    MapShare,
    MapUnshare,
    PersonaSave,
    PersonaDelete,
    DefinitionSave,
    DefinitionReset,
    /// A customer's events deleted (right to be forgotten).
    DataForget,
    /// A note of the dictionary (an event's or a property's display names, description, flags) changed.
    DictionaryEdit,
    DashboardCreate,
    /// A dashboard renamed, its period changed, a chart pinned, moved or unpinned.
    DashboardChange,
    DashboardDelete,
    DashboardShare,
    DashboardUnshare,
    /// An earlier version of a map made the newest.
    MapRestore,
    /// A map version named (or its name removed).
    MapVersionName,
    /// A map linked to the project's stages or detached.
    MapStages,
    /// Ad spend imported (the days it covers replaced).
    CostsImport,
    /// A survey created or changed (wording, targeting, active flag).
    SurveySave,
    SurveyDelete,
    /// An experiment defined or its definition changed.
    ExperimentSave,
    ExperimentDelete,
    /// The project's feedback theme list changed (a theme saved or deleted, or the whole list replaced).
    ThemesSave,
    /// The project's feedback theme list reset to the built-in one.
    ThemesReset,
}

impl Action {
    pub const ALL: [Action; 37] = [
        Action::ProjectCreate,
        Action::ProjectSettings,
        Action::KeyCreate,
        Action::KeyRevoke,
        Action::UserCreate,
        Action::UserRole,
        Action::UserPasswordReset,
        Action::UserPasswordChange,
        Action::UserDelete,
        Action::MemberSet,
        Action::MemberRemove,
        Action::MapCreate,
        Action::MapImport,
        Action::MapDelete,
        Action::MapShare,
        Action::MapUnshare,
        Action::PersonaSave,
        Action::PersonaDelete,
        Action::DefinitionSave,
        Action::DefinitionReset,
        Action::DataForget,
        Action::DictionaryEdit,
        Action::DashboardCreate,
        Action::DashboardChange,
        Action::DashboardDelete,
        Action::DashboardShare,
        Action::DashboardUnshare,
        Action::MapRestore,
        Action::MapVersionName,
        Action::MapStages,
        Action::CostsImport,
        Action::SurveySave,
        Action::SurveyDelete,
        Action::ExperimentSave,
        Action::ExperimentDelete,
        Action::ThemesSave,
        Action::ThemesReset,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::ProjectCreate => "project.create",
            Action::ProjectSettings => "project.settings",
            Action::KeyCreate => "key.create",
            Action::KeyRevoke => "key.revoke",
            Action::UserCreate => "user.create",
            Action::UserRole => "user.role",
            Action::UserPasswordReset => "user.password_reset",
            Action::UserPasswordChange => "user.password_change",
            Action::UserDelete => "user.delete",
            Action::MemberSet => "member.set",
            Action::MemberRemove => "member.remove",
            Action::MapCreate => "map.create",
            Action::MapImport => "map.import",
            Action::MapDelete => "map.delete",
            Action::MapShare => "map.share",
            Action::MapUnshare => "map.unshare",
            Action::PersonaSave => "persona.save",
            Action::PersonaDelete => "persona.delete",
            Action::DefinitionSave => "definition.save",
            Action::DefinitionReset => "definition.reset",
            Action::DataForget => "data.forget",
            Action::DictionaryEdit => "dictionary.edit",
            Action::DashboardCreate => "dashboard.create",
            Action::DashboardChange => "dashboard.change",
            Action::DashboardDelete => "dashboard.delete",
            Action::DashboardShare => "dashboard.share",
            Action::DashboardUnshare => "dashboard.unshare",
            Action::MapRestore => "map.restore",
            Action::MapVersionName => "map.version_name",
            Action::MapStages => "map.stages",
            Action::CostsImport => "costs.import",
            Action::SurveySave => "survey.save",
            Action::SurveyDelete => "survey.delete",
            Action::ExperimentSave => "experiment.save",
            Action::ExperimentDelete => "experiment.delete",
            Action::ThemesSave => "themes.save",
            Action::ThemesReset => "themes.reset",
        }
    }

    /// The action of a dotted name; `None` for any other text.
    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

impl Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Who did it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Actor {
    /// A signed-in user of the web app: their id and their e-mail at the time.
    User { id: i64, email: String },
    /// Someone at the command line, with the operating system's user name when it is known ("" otherwise).
    Cli { os_user: String },
    /// tropa itself.
    System,
}

/// An entry to append.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub at: i64,
    pub actor: &'a Actor,
    /// The client's address for the web app, `cli` for the command line, "" when unknown.
    pub address: &'a str,
    pub action: Action,
    pub project: Option<&'a str>,
    /// What it was done to: a key's hint, a user's e-mail, a map's id and title, a persona's key, a digest.
    pub target: &'a str,
    /// A small JSON object (the caller serialises it; never secrets).
    pub details: &'a str,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub id: i64,
    pub at: i64,
    pub actor: Actor,
    pub address: String,
    pub action: Action,
    pub project: Option<String>,
    pub target: String,
    /// The JSON object as stored.
    pub details: String,
}

/// Which entries to list: newest first, at most `limit` (1–1000), older than the entry `before` when given.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub project: Option<String>,
    pub action: Option<Action>,
    /// Epoch ms: only entries at or after it.
    pub since: Option<i64>,
    /// An entry id: only entries before it (the next page).
    pub before: Option<i64>,
    pub limit: usize,
}

/// The most entries one listing returns.
pub const MAX_LIMIT: usize = 1000;
const MAX_TARGET: usize = 300;
const MAX_DETAILS: usize = 4096;
/// The prefixes of tropa's secrets (API keys, share links, sessions, CSRF tokens): each is followed by 32 base62
/// characters (see `random_token`).
const SECRET_PREFIXES: [&str; 5] = ["tw_", "tr_", "sh_", "s_", "c_"];
/// A run this long after a prefix counts as a secret (a key hint has 4, a secret 32).
const SECRET_BODY: usize = 16;

/// `text` with everything shaped like a secret cut to its prefix and "…", and at most `max` bytes (on a
/// character boundary).
fn scrub(text: &str, max: usize) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len().min(max));
    let mut i = 0;
    while i < b.len() {
        let boundary = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        let prefix = boundary.then(|| SECRET_PREFIXES.iter().find(|p| b[i..].starts_with(p.as_bytes()))).flatten();
        if let Some(p) = prefix {
            let body = b[i + p.len()..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
            if body >= SECRET_BODY {
                out.push_str(p);
                out.push('…');
                i += p.len() + body;
                continue;
            }
        }
        let ch = text[i..].chars().next().unwrap_or('\u{fffd}');
        out.push(ch);
        i += ch.len_utf8();
    }
    if out.len() > max {
        let mut cut = max;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    out
}

/// An entry as every backend stores it: the actor split into kind, user id and name, every text scrubbed of
/// secrets and cut to size (details too long become `{"cut":true}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// `user`, `cli` or `system`.
    pub actor_kind: &'static str,
    pub user_id: Option<i64>,
    pub actor: String,
    pub address: String,
    pub action: &'static str,
    pub project: Option<String>,
    pub target: String,
    pub details: String,
}

impl StoredEntry {
    pub fn new(e: &NewEntry<'_>) -> StoredEntry {
        let (actor_kind, user_id, name) = match e.actor {
            Actor::User { id, email } => ("user", Some(*id), email.as_str()),
            Actor::Cli { os_user } => ("cli", None, os_user.as_str()),
            Actor::System => ("system", None, ""),
        };
        let details = scrub(e.details, usize::MAX);
        let details = if details.len() > MAX_DETAILS { "{\"cut\":true}".to_string() } else { details };
        StoredEntry {
            actor_kind,
            user_id,
            actor: scrub(name, MAX_TARGET),
            address: scrub(e.address, 64),
            action: e.action.as_str(),
            project: e.project.map(str::to_string),
            target: scrub(e.target, MAX_TARGET),
            details,
        }
    }
}

/// The actor of a stored entry (an unknown kind reads as the system).
pub fn stored_actor(actor_kind: &str, user_id: Option<i64>, name: String) -> Actor {
    match actor_kind {
        "user" => Actor::User { id: user_id.unwrap_or(0), email: name },
        "cli" => Actor::Cli { os_user: name },
        _ => Actor::System,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_meta as meta;

    fn entry<'a>(actor: &'a Actor, action: Action, project: Option<&'a str>, at: i64) -> NewEntry<'a> {
        NewEntry { at, actor, address: "192.0.2.7", action, project, target: "t", details: "{}" }
    }

    #[test]
    fn the_log_is_append_only() {
        let (d, m) = meta();
        let id = m.record_audit(&entry(&Actor::System, Action::MapCreate, Some("a"), 1)).unwrap();
        let conn = rusqlite::Connection::open(d.path().join("meta.sqlite")).unwrap();
        assert!(conn.execute("UPDATE audit SET target = 'x' WHERE id = ?1", [id]).is_err());
        assert!(conn.execute("DELETE FROM audit", []).is_err());
        let n: i64 = conn.query_row("SELECT count(*) FROM audit", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn every_action_reads_back_from_its_name() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
        assert_eq!(Action::parse("key.steal"), None);
    }

    crate::testing::backend_tests! {
        fn entries_list_newest_first_with_filters_and_pages() {
            let (_d, m) = meta();
            let maria = Actor::User { id: 7, email: "maria@x.ru".into() };
            let cli = Actor::Cli { os_user: "ops".into() };
            m.record_audit(&entry(&maria, Action::KeyCreate, Some("a"), 10)).unwrap();
            m.record_audit(&entry(&cli, Action::ProjectCreate, Some("b"), 20)).unwrap();
            m.record_audit(&entry(&maria, Action::KeyRevoke, Some("a"), 30)).unwrap();
            m.record_audit(&entry(&Actor::System, Action::UserCreate, None, 40)).unwrap();
            let all = m.audit(&Filter { limit: 50, ..Filter::default() }).unwrap();
            let actions: Vec<&str> = all.iter().map(|e| e.action.as_str()).collect();
            assert_eq!(actions, ["user.create", "key.revoke", "project.create", "key.create"]);
            assert_eq!(all[3].actor, maria);
            assert_eq!(all[2].actor, cli);
            assert_eq!(all[0].actor, Actor::System);
            assert_eq!((all[3].address.as_str(), all[3].project.as_deref()), ("192.0.2.7", Some("a")));

            let a = m.audit(&Filter { project: Some("a".into()), limit: 50, ..Filter::default() }).unwrap();
            assert_eq!(a.len(), 2);
            let revokes = m.audit(&Filter { action: Some(Action::KeyRevoke), limit: 50, ..Filter::default() }).unwrap();
            assert_eq!(revokes.len(), 1);
            let recent = m.audit(&Filter { since: Some(30), limit: 50, ..Filter::default() }).unwrap();
            assert_eq!(recent.len(), 2);
            let page1 = m.audit(&Filter { limit: 3, ..Filter::default() }).unwrap();
            let page2 = m.audit(&Filter { limit: 3, before: Some(page1[2].id), ..Filter::default() }).unwrap();
            assert_eq!((page1.len(), page2.len()), (3, 1));
            assert_eq!(page2[0].action, Action::KeyCreate);
        }

        fn anything_shaped_like_a_secret_is_cut_before_it_is_stored() {
            let check = |input: &str, expect: &str| assert_eq!(scrub(input, usize::MAX), expect, "{input}");
            check("tw_abcd", "tw_abcd");
            check("key tw_0123456789abcdefABCDEF0123456789 made", "key tw_… made");
            check("{\"t\":\"sh_0123456789abcdefABCDEF0123456789\"}", "{\"t\":\"sh_…\"}");
            check("s_0123456789abcdefABCDEF", "s_…");
            check("is_0123456789abcdefABCDEF", "is_0123456789abcdefABCDEF");
            check("Мария tr_0123456789abcdef0", "Мария tr_…");
            assert_eq!(scrub("ааа", 3), "а");

            let (_d, m) = meta();
            let secret = "tr_0123456789abcdefABCDEF0123456789";
            let e = NewEntry {
                target: secret,
                details: &format!("{{\"k\":\"{secret}\"}}"),
                ..entry(&Actor::System, Action::KeyCreate, None, 1)
            };
            m.record_audit(&e).unwrap();
            let got = &m.audit(&Filter { limit: 1, ..Filter::default() }).unwrap()[0];
            assert!(!got.target.contains(secret) && !got.details.contains(secret), "{got:?}");
        }

        fn a_customer_digest_is_salted_stable_and_hides_the_id() {
            let (_d, m) = meta();
            let d1 = m.customer_digest("maria@example.ru").unwrap();
            assert_eq!(d1.len(), 64);
            assert_eq!(m.customer_digest("maria@example.ru").unwrap(), d1, "stable within a folder");
            assert_ne!(m.customer_digest("ivan@example.ru").unwrap(), d1);
            let unsalted = crate::secret::salted_digest(b"", "maria@example.ru");
            assert_ne!(d1, unsalted, "salted");
            let (_d2, other) = meta();
            assert_ne!(other.customer_digest("maria@example.ru").unwrap(), d1, "a salt per data folder");
        }
    }
}
