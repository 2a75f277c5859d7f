//! The two languages people read tropa in, and the names of things every adapter (CLI, API, web app, exports)
//! shows the same way. Adapters pick the language (a user's setting, `Accept-Language`, `TROPA_LANG`); the
//! domain only words things in the one it is given.
//!
//! ```
//! use tropa_core::lang::Lang;
//! assert_eq!(Lang::from_code("ru"), Some(Lang::Ru));
//! assert_eq!(Lang::Ru.channel("paid_search"), "Платный поиск");
//! assert_eq!(Lang::En.channel("my_partner"), "my_partner");
//! ```

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Ru,
}

impl Lang {
    /// `en` or `ru`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    /// The language an HTTP client asks for in `Accept-Language`: Russian when its first choice is Russian,
    /// else English.
    pub fn from_accept_language(accept: &str) -> Lang {
        if accept.trim_start().to_ascii_lowercase().starts_with("ru") {
            Lang::Ru
        } else {
            Lang::En
        }
    }

    /// The language of a code (`ru`, `en`, case-insensitive); None for any other.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "ru" => Some(Lang::Ru),
            _ => None,
        }
    }

    /// A number `format!` wrote (`12.5`, `+3.0`) with the reader's decimal mark: a comma in Russian.
    pub fn decimal(self, text: String) -> String {
        match self {
            Lang::En => text,
            Lang::Ru => text.replace('.', ","),
        }
    }

    /// The English or the Russian text.
    pub fn pick<'a>(self, en: &'a str, ru: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Ru => ru,
        }
    }

    /// A channel group's name for people (`paid_search` → "Paid search" / «Платный поиск»); unknown groups as is.
    pub fn channel(self, group: &str) -> String {
        match CHANNELS.iter().find(|(k, _, _)| *k == group) {
            Some((_, en, ru)) => self.pick(en, ru).to_string(),
            None => group.to_string(),
        }
    }
}

/// The channel groups of [`crate::channel`] by their names for people.
const CHANNELS: &[(&str, &str, &str)] = &[
    ("direct", "Direct", "Прямые заходы"),
    ("organic_search", "Organic search", "Поиск"),
    ("paid_search", "Paid search", "Платный поиск"),
    ("social", "Social", "Соцсети"),
    ("paid_social", "Paid social", "Реклама в соцсетях"),
    ("email", "E-mail", "Рассылки"),
    ("messengers", "Messengers", "Мессенджеры"),
    ("referral", "Referral", "Переходы с сайтов"),
    ("display", "Display", "Медийная реклама"),
    ("offline", "Offline", "Офлайн"),
    ("call_center", "Call centre", "Колл-центр"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_channel_group_has_a_name_in_both_languages() {
        for key in crate::channel::GROUPS {
            assert_ne!(Lang::En.channel(key), key, "{key}");
            assert_ne!(Lang::Ru.channel(key), key, "{key}");
        }
    }
}
