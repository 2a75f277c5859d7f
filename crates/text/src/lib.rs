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
//! "What do detractors talk about?" — the themes they mention, the phrases that set them apart, and quotes:
//!
//! ```
//! use tropa_text::{distinctive_phrases, representative_quotes, sentiment, Label, ThemeList};
//!
//! let texts = ["Курьер опоздал на три часа 😡", "Доставка опоздала, курьер хамил", "Всё отлично, спасибо!",
//!              "Great quality, fast delivery", "Отличное качество"];
//! let (detractors, rest): (Vec<&str>, Vec<&str>) =
//!     texts.iter().partition(|t| sentiment(t).label == Label::Negative);
//! assert_eq!(detractors.len(), 2);
//! let themes = ThemeList::builtin().count(detractors.iter().copied());
//! assert!(themes.counts.contains(&("courier".to_string(), 2)));
//! let phrases = distinctive_phrases(&detractors, &rest, 5);
//! assert_eq!(phrases[0].surface, "курьер");
//! let quotes = representative_quotes(&detractors, &phrases, 1);
//! assert_eq!(quotes.len(), 1);
//! ```
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
#[doc(hidden)]
pub use sentiment::train;
pub use sentiment::{sentiment, Label, Sentiment};
pub use stem::stem;
pub use themes::{Theme, ThemeCounts, ThemeList};
pub use token::{tokenize, Token, TokenKind};
