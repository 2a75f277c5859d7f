//! The application layer's errors as values: what was missing or which field was wrong and why. Adapters name
//! the field their own way (a CLI flag, a JSON pointer, a form field) and word the reason in the user's language
//! with [`AppError::words`].

use tropa_core::analysis::stages::DefinitionError;
use tropa_core::lang::Lang;
use tropa_core::settings::SettingError;
use tropa_engine::{EngineError, ErrorKind};
use tropa_meta::MetaError;

/// Something a request named that does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    Project(String),
    Map {
        id: i64,
        version: Option<i64>,
    },
    Persona(String),
    Template(String),
    /// A saved report (its id).
    Report(i64),
    /// A dashboard (its id).
    Dashboard(i64),
    /// A dashboard's tile (its id).
    Tile(i64),
}

/// Why a value is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Not one of the languages of the interface.
    UnknownLang,
    /// A stored or given document (a map, a persona, a definition) does not read: the parser's words.
    Document(String),
    /// A definition's problems worded in both languages (English, Russian).
    Words(String, String),
    /// Not a kind of report that can be saved.
    ReportKind,
    /// A saved report's name is empty or longer than `max` characters.
    ReportName { max: usize },
    /// A report's parameters are longer than `max` bytes.
    ReportTooLong { max: usize },
    /// A text (a name, a display name, a description) is empty where it may not be, or longer than `max`.
    TextLength { max: usize },
    /// A text holds control characters (tabs, escapes; a description may have line breaks).
    ControlCharacters,
    /// Not a date `YYYY-MM-DD`.
    Date,
    /// The end of a date range is not after its start.
    DateOrder,
    /// Not a way to compare (none, previous).
    Compare,
    /// A comparison with the previous period needs both ends of the range.
    CompareNeedsRange,
    /// Not something a dashboard can show (a report page or a map's data lane).
    TileKind,
    /// A dashboard holds at most `max` charts.
    TooManyTiles { max: usize },
    /// A share link lasts from a moment to a year.
    Expiry,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{}", .0.words(Lang::En))]
    NotFound(Missing),
    /// `field` is the logical field (`template`, `lang`, `definition`); adapters map it to their own names.
    #[error("{field}: {}", .reason.words(Lang::En))]
    Invalid { field: &'static str, reason: Reason },
    /// A project's settings with every problem, each naming its setting (adapters name it their own way).
    #[error("{}", settings_words(.0, Lang::En))]
    Settings(Vec<SettingError>),
    /// A journey definition with every problem and its line.
    #[error(transparent)]
    Definition(#[from] DefinitionError),
    #[error(transparent)]
    Meta(#[from] MetaError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

impl AppError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            AppError::NotFound(_) => ErrorKind::NotFound,
            AppError::Invalid { .. } | AppError::Definition(_) | AppError::Settings(_) => ErrorKind::InvalidInput,
            AppError::Meta(MetaError::Backend(_) | MetaError::Random(_)) => ErrorKind::Internal,
            AppError::Meta(MetaError::NotFound { .. }) => ErrorKind::NotFound,
            AppError::Meta(MetaError::Conflict { .. }) => ErrorKind::Conflict,
            AppError::Meta(MetaError::Invalid { .. } | MetaError::TooNew { .. }) => ErrorKind::InvalidInput,
            AppError::Engine(e) => e.kind(),
            AppError::Io { .. } => ErrorKind::Internal,
        }
    }

    /// The problem for people, in `lang` (the field is the adapter's to name, see [`AppError::Invalid`]).
    pub fn words(&self, lang: Lang) -> String {
        match self {
            AppError::NotFound(m) => m.words(lang),
            AppError::Invalid { reason, .. } => reason.words(lang),
            AppError::Settings(e) => settings_words(e, lang),
            other => other.to_string(),
        }
    }
}

/// `time_zone: reason; currency: reason` with the domain's names (adapters with their own names word each
/// [`SettingError`] themselves).
fn settings_words(e: &[SettingError], lang: Lang) -> String {
    e.iter().map(|e| format!("{}: {}", e.setting.name(), e.reason.words(lang))).collect::<Vec<_>>().join("; ")
}

impl Missing {
    pub fn words(&self, lang: Lang) -> String {
        match self {
            Missing::Project(p) => format!("{} '{p}'", lang.pick("no project", "нет проекта")),
            Missing::Map { id, version: None } => format!("{} {id}", lang.pick("no map", "нет карты")),
            Missing::Map { id, version: Some(v) } => format!("{} {id} v{v}", lang.pick("no map", "нет карты")),
            Missing::Persona(k) => format!("{} '{k}'", lang.pick("no persona", "нет персоны")),
            Missing::Report(id) => format!("{} {id}", lang.pick("no saved report", "нет сохранённого отчёта")),
            Missing::Dashboard(id) => format!("{} {id}", lang.pick("no dashboard", "нет дашборда")),
            Missing::Tile(id) => {
                format!("{} {id}", lang.pick("no such chart on the dashboard", "нет такого графика на дашборде"))
            }
            Missing::Template(k) => {
                let keys: Vec<&str> = tropa_core::cjm::template::all().iter().map(|t| t.key.as_str()).collect();
                format!(
                    "{} '{k}': {} {}",
                    lang.pick("no template", "нет шаблона"),
                    lang.pick("use one of", "используйте один из"),
                    keys.join(", ")
                )
            }
        }
    }
}

impl Reason {
    pub fn words(&self, lang: Lang) -> String {
        match self {
            Reason::UnknownLang => lang.pick("use ru or en", "используйте ru или en").into(),
            Reason::Document(e) => e.clone(),
            Reason::Words(en, ru) => lang.pick(en, ru).into(),
            Reason::ReportKind => lang
                .pick(
                    "reports are saved from the funnels, paths and retention reports",
                    "сохраняются отчёты воронок, путей и удержания",
                )
                .into(),
            Reason::ReportName { max } => match lang {
                Lang::En => format!("a name has 1 to {max} characters"),
                Lang::Ru => format!("в названии от 1 до {max} символов"),
            },
            Reason::ReportTooLong { max } => match lang {
                Lang::En => format!("the report's settings are longer than {max} bytes"),
                Lang::Ru => format!("параметры отчёта длиннее {max} байт"),
            },
            Reason::TextLength { max } => match lang {
                Lang::En => format!("write at most {max} characters"),
                Lang::Ru => format!("не больше {max} символов"),
            },
            Reason::ControlCharacters => lang
                .pick("remove tabs and other control characters", "уберите табуляции и другие управляющие символы")
                .into(),
            Reason::Date => lang.pick("write a date as YYYY-MM-DD", "укажите дату в виде ГГГГ-ММ-ДД").into(),
            Reason::DateOrder => {
                lang.pick("must be later than the start of the range", "должно быть позже начала периода").into()
            }
            Reason::Compare => lang
                .pick("choose none or the previous period", "выберите «без сравнения» или «предыдущий период»")
                .into(),
            Reason::CompareNeedsRange => lang
                .pick(
                    "to compare with the previous period, choose both the start and the end",
                    "для сравнения с предыдущим периодом укажите и начало, и конец",
                )
                .into(),
            Reason::TileKind => lang
                .pick(
                    "a dashboard shows funnels, paths, retention, stages and a map's data lanes",
                    "на дашборд закрепляются воронки, пути, удержание, этапы и строки данных карты",
                )
                .into(),
            Reason::TooManyTiles { max } => match lang {
                Lang::En => format!("a dashboard holds at most {max} charts: unpin one first"),
                Lang::Ru => format!("на дашборде не больше {max} графиков: сначала открепите один"),
            },
            Reason::Expiry => lang
                .pick("a link lasts from an hour to a year (7d, 30d)", "ссылка действует от часа до года (7d, 30d)")
                .into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_reads_in_both_languages_without_naming_a_flag_or_a_form_field() {
        let all = [
            AppError::NotFound(Missing::Project("shop".into())),
            AppError::NotFound(Missing::Map { id: 7, version: Some(3) }),
            AppError::NotFound(Missing::Persona("maria".into())),
            AppError::NotFound(Missing::Template("bakery".into())),
            AppError::Invalid { field: "lang", reason: Reason::UnknownLang },
            AppError::NotFound(Missing::Report(3)),
            AppError::Invalid { field: "kind", reason: Reason::ReportKind },
            AppError::Invalid { field: "name", reason: Reason::ReportName { max: 120 } },
            AppError::Invalid { field: "query", reason: Reason::ReportTooLong { max: 4096 } },
            AppError::Invalid { field: "name_en", reason: Reason::TextLength { max: 100 } },
            AppError::Invalid { field: "name_ru", reason: Reason::ControlCharacters },
            AppError::NotFound(Missing::Dashboard(4)),
            AppError::NotFound(Missing::Tile(5)),
            AppError::Invalid { field: "since", reason: Reason::Date },
            AppError::Invalid { field: "until", reason: Reason::DateOrder },
            AppError::Invalid { field: "compare", reason: Reason::Compare },
            AppError::Invalid { field: "compare", reason: Reason::CompareNeedsRange },
            AppError::Invalid { field: "kind", reason: Reason::TileKind },
            AppError::Invalid { field: "tiles", reason: Reason::TooManyTiles { max: 40 } },
            AppError::Invalid { field: "expires", reason: Reason::Expiry },
        ];
        for e in &all {
            let (en, ru) = (e.words(Lang::En), e.words(Lang::Ru));
            assert_ne!(en, ru, "{e:?}");
            assert!(ru.chars().any(|c| ('а'..='я').contains(&c)), "{ru}");
            for w in [&en, &ru] {
                assert!(!w.contains("--") && !w.contains("form"), "{w}");
            }
        }
        assert!(all[3].words(Lang::En).contains("online_store"));
        assert_eq!(all[1].kind(), ErrorKind::NotFound);
        assert_eq!(all[4].kind(), ErrorKind::InvalidInput);
    }
}
