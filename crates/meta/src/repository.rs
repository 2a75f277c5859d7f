//! The contract of a metadata backend: one trait per area, combined by [`Repository`]. [`crate::Meta`] holds a
//! `Box<dyn Repository>` and dereferences to it, so callers write `meta.create_project(…)` whatever the backend.
//!
//! What every backend guarantees, beyond each method's own lines:
//! - **Plain values in and out.** No backend type crosses the trait; a backend's own failures are
//!   [`MetaError::Backend`], never another variant.
//! - **Validation is shared.** A method that stores text first calls the crate's checks (`check_slug`,
//!   `users::check_email`, `users::check_password`, `maps::check_document`, `reports::check_report`, …) and
//!   returns their [`MetaError::Invalid`] before touching storage; secrets, digests and password hashes come from
//!   [`crate::secret`], never from the backend.
//! - **Errors.** A missing project, user, key, map, persona or saved report named by a mutating method is
//!   `MetaError::NotFound { what, name }` (`what` as in the method's docs); a reading method answers `None` or an
//!   empty list instead. A uniqueness conflict (a project slug, a user's e-mail, a key digest) is
//!   `MetaError::Conflict`, never a backend error.
//! - **Atomicity.** Each method is one transaction: it is done entirely or not at all, and concurrent calls from
//!   many threads are safe (`Send + Sync`).
//! - **Project scoping.** Every method that takes a project and an id answers only for that project's rows: an id
//!   of another project is "not found", never the other project's data.
//! - **Times** are epoch milliseconds chosen by the caller (`now`); a backend never reads the clock.
//! - **Orders** are part of the contract where a method states one.
//!
//! The schema every backend stores this in is [`crate::schema::MIGRATIONS`], rendered for its dialect.

use crate::audit::{Entry, Filter, NewEntry};
use crate::costs::StoredCost;
use crate::dashboards::{DashboardInfo, DashboardPeriod, Move, NewTile, Shared, Tile};
use crate::dictionary::{Note, NoteKind};
use crate::maps::{MapInfo, MapVersion, NewShare, ShareInfo, StageLink};
use crate::members::Member;
use crate::reports::{SavedReport, StoredDefinition};
use crate::secret::random_token;
use crate::settings::StoredSettings;
use crate::surveys::{NewSurvey, StoredSurvey};
use crate::users::{NewSession, Role, User};
use crate::{KeyInfo, KeyKind, MetaError, NewKey, Project};

/// Every area of the metadata store: what [`crate::Meta`] holds.
pub trait Repository:
    Projects
    + Users
    + Members
    + Reports
    + Maps
    + Settings
    + Audit
    + Dictionary
    + Dashboards
    + Costs
    + Surveys
    + Experiments
    + Send
    + Sync
{
}

impl<
        T: Projects
            + Users
            + Members
            + Reports
            + Maps
            + Settings
            + Audit
            + Dictionary
            + Dashboards
            + Costs
            + Surveys
            + Experiments
            + Send
            + Sync,
    > Repository for T
{
}

/// Projects and their API keys.
pub trait Projects {
    /// Creates a project after [`crate::check_slug`]; an empty or blank `name` becomes the slug, others are
    /// trimmed. Grants nobody: the caller makes the creator a member ([`Members::set_member`]); instance admins
    /// see every project anyway. A taken slug is `Conflict { what: "project" }`. Settings start at `UTC`/`RUB`.
    fn create_project(&self, slug: &str, name: &str, now: i64) -> Result<Project, MetaError>;

    /// The project with this slug, None when there is none.
    fn project(&self, slug: &str) -> Result<Option<Project>, MetaError>;

    /// Every project, by slug.
    fn projects(&self) -> Result<Vec<Project>, MetaError>;

    /// Creates a key with a fresh random secret (shared by every backend: a token with the kind's prefix given to
    /// [`Projects::insert_key`]).
    fn create_key(&self, project: &str, kind: KeyKind, label: &str, now: i64) -> Result<NewKey, MetaError> {
        self.insert_key(project, kind, label, &random_token(kind.prefix())?, now)
    }

    /// Stores a key whose secret the caller chose (the demo's well-known keys) after
    /// [`crate::check_key_secret`]. Only the secret's [`crate::secret::digest`] and its hint (the prefix and 4
    /// more characters) are stored. An unknown project is `NotFound { what: "project" }`; a secret already stored
    /// is `Conflict { what: "key" }`. Key ids grow with each key.
    fn insert_key(
        &self,
        project: &str,
        kind: KeyKind,
        label: &str,
        secret: &str,
        now: i64,
    ) -> Result<NewKey, MetaError>;

    /// The key a client presented (found by its digest), if it exists and is not revoked.
    fn authenticate(&self, secret: &str) -> Result<Option<KeyInfo>, MetaError>;

    /// Keys of a project (or of all projects), revoked ones included, by id.
    fn keys(&self, project: Option<&str>) -> Result<Vec<KeyInfo>, MetaError>;

    /// Revokes a key by id (a revoked key keeps its first revocation time); it stops working at once. Returns
    /// the key; an unknown id is `NotFound { what: "key" }`.
    fn revoke_key(&self, id: i64, now: i64) -> Result<KeyInfo, MetaError>;
}

/// Users (argon2id hashes from [`crate::secret::hash_password`]) and their sign-in sessions (stored as
/// digests of their tokens).
pub trait Users {
    /// Creates a user after `check_email` (which lower-cases it) and `check_password`, with an empty language.
    /// A taken e-mail is `Conflict { what: "user" }`.
    fn create_user(&self, email: &str, role: Role, password: &str, now: i64) -> Result<User, MetaError>;

    /// Every user, by e-mail.
    fn users(&self) -> Result<Vec<User>, MetaError>;

    /// The user with this e-mail (trimmed and lower-cased before the lookup).
    fn user(&self, email: &str) -> Result<Option<User>, MetaError>;

    /// The user if the password is theirs, through [`crate::secret::password_matches`] — also for an unknown
    /// e-mail, so the answer time does not tell which e-mails exist.
    fn verify_password(&self, email: &str, password: &str) -> Result<Option<User>, MetaError>;

    /// Sets a new password after `check_password` (the caller checked the old one or is an admin) and ends every
    /// session of the user. An unknown user is `NotFound { what: "user" }`.
    fn set_password(&self, user_id: i64, password: &str) -> Result<(), MetaError>;

    /// Changes a user's instance role. The last admin cannot stop being one (`Invalid { field: "role" }`); an
    /// unknown user is `NotFound { what: "user" }`.
    fn set_role(&self, user_id: i64, role: Role) -> Result<User, MetaError>;

    /// Deletes a user with their sessions and memberships; saved reports, definitions and map versions keep no
    /// author. The last admin cannot be deleted (`Invalid { field: "user" }`); an unknown user is `NotFound`.
    fn delete_user(&self, user_id: i64) -> Result<(), MetaError>;

    /// Sets the preferred language: `""`, `ru` or `en` (else `Invalid { field: "lang" }`).
    fn set_lang(&self, user_id: i64, lang: &str) -> Result<(), MetaError>;

    /// Starts a session of `ttl_ms` with fresh random session and CSRF tokens (only the session token's digest is
    /// stored); expired sessions of anyone may be dropped on the way.
    fn create_session(&self, user_id: i64, now: i64, ttl_ms: i64) -> Result<NewSession, MetaError>;

    /// The user and CSRF token of a session that expires after `now`.
    fn session(&self, token: &str, now: i64) -> Result<Option<(User, String)>, MetaError>;

    /// Ends a session (nothing happens for an unknown token).
    fn delete_session(&self, token: &str) -> Result<(), MetaError>;
}

/// Who may do what in which project.
pub trait Members {
    /// The role `user` has in `project`: admin for an instance admin, else their membership's; None when they are
    /// not a member or there is no such project.
    fn project_role(&self, user: &User, project: &str) -> Result<Option<Role>, MetaError>;

    /// The projects `user` may open (every project for an instance admin), by slug.
    fn user_projects(&self, user: &User) -> Result<Vec<Project>, MetaError>;

    /// The members of `project` (instance admins who are not members are not listed), by e-mail. An unknown
    /// project is `NotFound { what: "project" }`.
    fn members(&self, project: &str) -> Result<Vec<Member>, MetaError>;

    /// Makes `user_id` a member of `project` with `role`, or changes their role. `NotFound` names the project or
    /// the user that does not exist.
    fn set_member(&self, project: &str, user_id: i64, role: Role) -> Result<(), MetaError>;

    /// Ends a membership (nothing happens when there is none; an unknown project is `NotFound`).
    fn remove_member(&self, project: &str, user_id: i64) -> Result<(), MetaError>;
}

/// Saved reports and each project's journey definition.
pub trait Reports {
    /// Saves a report under `name` (trimmed) after `reports::check_report`, replacing the query of the one of the
    /// same project, kind and name, which keeps its id. An unknown project is `NotFound { what: "project" }`.
    fn save_report(
        &self,
        project: &str,
        kind: &str,
        name: &str,
        query: &str,
        user: Option<i64>,
        now: i64,
    ) -> Result<SavedReport, MetaError>;

    /// The saved reports of a kind in a project, by name.
    fn saved_reports(&self, project: &str, kind: &str) -> Result<Vec<SavedReport>, MetaError>;

    /// Deletes a saved report of `project`; an id of another project is `NotFound { what: "saved report" }`.
    fn delete_report(&self, project: &str, id: i64) -> Result<(), MetaError>;

    /// Keeps `text` as the project's journey definition after `reports::check_definition` (replacing any).
    fn save_definition(
        &self,
        project: &str,
        text: &str,
        format: &str,
        user: Option<i64>,
        now: i64,
    ) -> Result<(), MetaError>;

    /// The project's journey definition, None until one is saved (the default definition applies).
    fn definition(&self, project: &str) -> Result<Option<StoredDefinition>, MetaError>;

    /// Forgets the project's journey definition (back to the default).
    fn reset_definition(&self, project: &str) -> Result<(), MetaError>;
}

/// Journey maps with every version, share links and personas. Documents are stored as given (after
/// `maps::check_document` bounds their size); no backend reads them.
pub trait Maps {
    /// A new map with its first version (1). An unknown project is `NotFound { what: "project" }`.
    fn create_map(
        &self,
        project: &str,
        title: &str,
        document: &str,
        summary: &str,
        user: Option<i64>,
        now: i64,
    ) -> Result<MapInfo, MetaError>;

    /// The maps of a project with their latest version, most recently changed first (then newest id first).
    fn maps(&self, project: &str) -> Result<Vec<MapInfo>, MetaError>;

    /// A map of `project` (another project's id is None).
    fn map(&self, project: &str, id: i64) -> Result<Option<MapInfo>, MetaError>;

    /// One version of a map of `project` (None: the latest), with its author's e-mail ("" once deleted).
    fn map_version(&self, project: &str, id: i64, version: Option<i64>) -> Result<Option<MapVersion>, MetaError>;

    /// Every version of a map, newest first, with empty documents.
    fn map_history(&self, project: &str, id: i64) -> Result<Vec<MapVersion>, MetaError>;

    /// Saves the next version (latest + 1; versions are never changed or reused) and the map's title. With
    /// `expected`, refuses with `Conflict { what: "map version" }` when the latest version is not that one, so
    /// two editors never overwrite each other silently. Another project's map is `NotFound { what: "map" }`.
    #[allow(clippy::too_many_arguments)]
    fn save_map_version(
        &self,
        project: &str,
        id: i64,
        expected: Option<i64>,
        title: &str,
        document: &str,
        summary: &str,
        user: Option<i64>,
        now: i64,
    ) -> Result<i64, MetaError>;

    /// Replaces the latest version's document and summary in place (its time becomes `now`): the editor's
    /// further edits of the same cell in one sitting. `Conflict { what: "map version" }` when `version` is not
    /// the latest or has a name (a named version is never changed); `NotFound { what: "map" }` as above.
    fn amend_map_version(
        &self,
        project: &str,
        id: i64,
        version: i64,
        document: &str,
        summary: &str,
        now: i64,
    ) -> Result<(), MetaError>;

    /// Names a version ("" removes the name) after `maps::check_version_name`; `NotFound { what: "map version" }`
    /// when the map of `project` has no such version.
    fn name_map_version(&self, project: &str, id: i64, version: i64, name: &str) -> Result<(), MetaError>;

    /// Links a map to the project's stages or detaches it (`NotFound { what: "map" }` as above).
    fn set_map_stages(&self, project: &str, id: i64, link: StageLink) -> Result<(), MetaError>;

    /// Deletes a map with its versions and share links (`NotFound { what: "map" }` when it is not the project's).
    fn delete_map(&self, project: &str, id: i64) -> Result<(), MetaError>;

    /// A new read-only share link (`sh_` + a random token, stored as its digest, hint = its first 7 characters),
    /// valid until revoked or, with `expires_at`, until that time; older live links stay valid. `NotFound { what:
    /// "map" }` when it is not the project's.
    fn create_share(&self, project: &str, id: i64, expires_at: Option<i64>, now: i64) -> Result<NewShare, MetaError>;

    /// The live share links of a map at `now` (not revoked, not expired), oldest first.
    fn shares(&self, project: &str, id: i64, now: i64) -> Result<Vec<ShareInfo>, MetaError>;

    /// Revokes every live share link of a map; returns how many (`NotFound { what: "map" }` as above).
    fn revoke_shares(&self, project: &str, id: i64, now: i64) -> Result<usize, MetaError>;

    /// What a share token opens at `now`: the (project, map id) of a live link, or `Expired` with the time a
    /// link that was not revoked expired; None for a revoked or unknown token.
    fn shared_map(&self, token: &str, now: i64) -> Result<Option<Shared>, MetaError>;

    /// Creates or replaces a persona (by key) of a project.
    fn save_persona(&self, project: &str, key: &str, document: &str, now: i64) -> Result<(), MetaError>;

    /// The personas of a project: (key, document), by key.
    fn personas(&self, project: &str) -> Result<Vec<(String, String)>, MetaError>;

    /// Deletes a persona (`NotFound { what: "persona" }` when there is none).
    fn delete_persona(&self, project: &str, key: &str) -> Result<(), MetaError>;
}

/// Dashboards of a project, their tiles in order, and their read-only share links (as the maps' links: `sd_` +
/// a random token stored as its digest, revocable, optionally expiring).
pub trait Dashboards {
    /// A new dashboard after `dashboards::check_name`, without tiles, its period open and without comparison.
    /// An unknown project is `NotFound { what: "project" }`.
    fn create_dashboard(&self, project: &str, name: &str, now: i64) -> Result<DashboardInfo, MetaError>;

    /// The dashboards of a project, by name (then id).
    fn dashboards(&self, project: &str) -> Result<Vec<DashboardInfo>, MetaError>;

    /// A dashboard of `project` (another project's id is None).
    fn dashboard(&self, project: &str, id: i64) -> Result<Option<DashboardInfo>, MetaError>;

    /// Renames a dashboard (`check_name`); `NotFound { what: "dashboard" }` when it is not the project's.
    fn rename_dashboard(&self, project: &str, id: i64, name: &str, now: i64) -> Result<(), MetaError>;

    /// Sets a dashboard's period after `dashboards::check_period` (`NotFound` as above).
    fn set_dashboard_period(&self, project: &str, id: i64, p: &DashboardPeriod, now: i64) -> Result<(), MetaError>;

    /// Deletes a dashboard with its tiles and share links (`NotFound` as above).
    fn delete_dashboard(&self, project: &str, id: i64) -> Result<(), MetaError>;

    /// Pins a tile at the end of the dashboard after `dashboards::check_tile`; a full dashboard
    /// (`dashboards::MAX_TILES`) is `Invalid { field: "tiles" }`, a map of another project `NotFound { what:
    /// "map" }`, the dashboard as above.
    fn add_tile(&self, project: &str, dashboard: i64, t: &NewTile, now: i64) -> Result<Tile, MetaError>;

    /// The tiles of a dashboard of `project`, in order (empty for another project's).
    fn tiles(&self, project: &str, dashboard: i64) -> Result<Vec<Tile>, MetaError>;

    /// Swaps a tile with its neighbour before or after it (nothing at either end); `NotFound { what: "tile" }`
    /// when it is not on that dashboard of the project.
    fn move_tile(&self, project: &str, dashboard: i64, tile: i64, to: Move, now: i64) -> Result<(), MetaError>;

    /// Unpins a tile (`NotFound { what: "tile" }` as above).
    fn remove_tile(&self, project: &str, dashboard: i64, tile: i64, now: i64) -> Result<(), MetaError>;

    /// A new read-only share link of a dashboard, until revoked or `expires_at` (`NotFound { what: "dashboard" }`).
    fn create_dashboard_share(
        &self,
        project: &str,
        id: i64,
        expires_at: Option<i64>,
        now: i64,
    ) -> Result<NewShare, MetaError>;

    /// The live share links of a dashboard at `now`, oldest first.
    fn dashboard_shares(&self, project: &str, id: i64, now: i64) -> Result<Vec<ShareInfo>, MetaError>;

    /// Revokes every live share link of a dashboard; returns how many (`NotFound` as above).
    fn revoke_dashboard_shares(&self, project: &str, id: i64, now: i64) -> Result<usize, MetaError>;

    /// What a dashboard share token opens at `now` (as [`Maps::shared_map`]).
    fn shared_dashboard(&self, token: &str, now: i64) -> Result<Option<Shared>, MetaError>;
}

/// Each project's settings, stored as the text the application layer checked.
pub trait Settings {
    /// The settings of `project`; None when there is no such project.
    fn project_settings(&self, project: &str) -> Result<Option<StoredSettings>, MetaError>;

    /// Replaces the settings of `project` after `settings::check_settings` (`NotFound { what: "project" }`).
    fn set_project_settings(&self, project: &str, settings: &StoredSettings) -> Result<(), MetaError>;
}

/// The audit log. **Append-only**: entries are never changed or removed — no method does it, and the schema's
/// append-only step makes the backend refuse `UPDATE` and `DELETE` on the table. Entries have no foreign keys,
/// so they outlive the users, projects and maps they name.
pub trait Audit {
    /// Appends an entry (as [`crate::audit::StoredEntry::new`] makes it: secrets cut, sizes bounded); returns its id.
    /// Ids grow with each entry.
    fn record_audit(&self, e: &NewEntry<'_>) -> Result<i64, MetaError>;

    /// Entries matching the filter, newest (highest id) first, at most `limit` clamped to 1–`MAX_LIMIT`.
    fn audit(&self, f: &Filter) -> Result<Vec<Entry>, MetaError>;

    /// How a customer id is named in the audit log: [`crate::secret::salted_digest`] of this store's salt — 32
    /// random bytes made on first use, written once (the schema refuses to change it) and never handed out — and
    /// the id. Concurrent first uses agree on one salt.
    fn customer_digest(&self, id: &str) -> Result<String, MetaError>;
}

/// The dictionary's notes on event names and properties (display names, description, flags), per project.
pub trait Dictionary {
    /// Every note of `project`, by kind (events first) and name; empty when there is no such project.
    fn dictionary_notes(&self, project: &str) -> Result<Vec<(NoteKind, Note)>, MetaError>;

    /// Stores the note on `note.name` of `kind`, replacing any earlier one, after `dictionary::check_note`
    /// (`NotFound { what: "project" }`). `note.updated_at` is ignored: the note is stamped `now`, by `user`.
    fn set_dictionary_note(
        &self,
        project: &str,
        kind: NoteKind,
        note: &Note,
        user: Option<i64>,
        now: i64,
    ) -> Result<(), MetaError>;
}

/// Ad spend per project (see [`crate::costs`]).
pub trait Costs {
    /// Replaces every row of `project` with a day in `from..=to` (`YYYY-MM-DD`) by `rows` (each checked by
    /// `costs::check_cost`, each inside the range), in one transaction; returns how many rows it removed
    /// (`NotFound { what: "project" }`).
    fn replace_costs(&self, project: &str, from: &str, to: &str, rows: &[StoredCost]) -> Result<usize, MetaError>;

    /// The rows of `project` with a day in `from..=to` (either open), by day, source, medium, campaign, channel.
    fn costs(&self, project: &str, from: Option<&str>, to: Option<&str>) -> Result<Vec<StoredCost>, MetaError>;
}

/// Surveys of a project, by key (answers are events, never stored here), and its feedback theme list.
pub trait Surveys {
    /// The project's surveys by key (empty for an unknown project).
    fn surveys(&self, project: &str) -> Result<Vec<StoredSurvey>, MetaError>;

    /// One survey; None when the project or the key is unknown.
    fn survey(&self, project: &str, key: &str) -> Result<Option<StoredSurvey>, MetaError>;

    /// Creates the survey or replaces the one with the same key (keeping its id and creation time), after
    /// `surveys::check_survey`. An unknown project is `NotFound { what: "project" }`.
    fn save_survey(&self, project: &str, survey: &NewSurvey<'_>, now: i64) -> Result<StoredSurvey, MetaError>;

    /// Removes a survey (`NotFound { what: "survey" }` when there is none).
    fn delete_survey(&self, project: &str, key: &str) -> Result<(), MetaError>;

    /// The project's own feedback theme list (the JSON document the application checked) and when it was saved;
    /// None when the project uses the built-in list (or is unknown).
    fn feedback_themes(&self, project: &str) -> Result<Option<(String, i64)>, MetaError>;

    /// Stores the project's theme list, replacing the one before, after `surveys::check_themes`. An unknown
    /// project is `NotFound { what: "project" }`.
    fn save_feedback_themes(&self, project: &str, document: &str, now: i64) -> Result<(), MetaError>;

    /// Forgets the project's own theme list (the built-in one applies again); whether there was one.
    fn reset_feedback_themes(&self, project: &str) -> Result<bool, MetaError>;
}

/// Experiments (A/B tests) per project; definitions are stored as given after `experiments::check_experiment`.
pub trait Experiments {
    /// Saves an experiment under `key`, replacing the definition of the one with that key (which keeps its id and
    /// creation time). An unknown project is `NotFound { what: "project" }`.
    fn save_experiment(
        &self,
        project: &str,
        key: &str,
        definition: &str,
        user: Option<i64>,
        now: i64,
    ) -> Result<crate::experiments::StoredExperiment, MetaError>;

    /// The experiments of a project, by key.
    fn experiments(&self, project: &str) -> Result<Vec<crate::experiments::StoredExperiment>, MetaError>;

    /// One experiment of a project (None when it has no such key).
    fn experiment(&self, project: &str, key: &str) -> Result<Option<crate::experiments::StoredExperiment>, MetaError>;

    /// Deletes an experiment; an unknown key is `NotFound { what: "experiment" }`.
    fn delete_experiment(&self, project: &str, key: &str) -> Result<(), MetaError>;
}
