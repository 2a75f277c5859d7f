//! Text analytics of tropa, on this machine: no cloud, no downloads, all data embedded in the binary.
//!
//! The public API, for the feedback pages, the map's emotion lane and the CLI:
//! - [`detect_lang`] → [`Lang`] (Russian or English, by the share of Cyrillic letters);
//! - [`tokenize`] → [`Token`]s (words lowercased with `ё` → `е`, numbers, emoji and emoticons, punctuation);
//! - [`stem`]: Snowball stems for Russian and English words (the morphology everything below uses);
//! - [`sentiment`] → [`Sentiment`] `{ label: Negative | Neutral | Positive, score: −1…1, lang }`;
//! - [`ThemeList`]: an editable ru/en theme list ([`ThemeList::default_list`] embedded, or parsed from
//!   TOML/JSON with every error named), [`ThemeList::assign`] and [`ThemeList::count`];
//! - [`distinctive_phrases`] → [`Phrase`]s: stems and stem pairs distinctive of a group of texts against
//!   the rest, by weighted log-odds with an informative Dirichlet prior (Monroe et al. 2008), with z-scores
//!   and a readable surface form;
//! - [`representative_quotes`] → [`Quote`]s: texts of a group that say its top phrases most strongly,
//!   deduplicated and length-bounded.
//!
//! Everything is pure and deterministic; the crate reads no files, clock or environment. Data sources and
//! licences: `crates/text/data/SOURCES.md`.

mod error;
mod lang;
mod phrases;
mod quotes;
mod sentiment;
mod stem;
mod themes;
mod token;

pub use error::{TextError, ThemeIssue, ThemeReason};
pub use lang::{detect_lang, Lang};
pub use phrases::{distinctive_phrases, Phrase};
pub use quotes::{representative_quotes, Quote, MAX_QUOTE_CHARS};
pub use sentiment::{sentiment, Label, Sentiment};
#[doc(hidden)]
pub use sentiment::train;
pub use stem::stem;
pub use themes::{Theme, ThemeCounts, ThemeList};
pub use token::{tokenize, Token, TokenKind};
