//! Every word the web app shows, in English and Russian. The language: the user's setting, else the browser's
//! `Accept-Language`, else English.

use axum::http::{header, HeaderMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ru,
}

impl Lang {
    pub fn pick(setting: &str, headers: &HeaderMap) -> Lang {
        match setting {
            "ru" => return Lang::Ru,
            "en" => return Lang::En,
            _ => {}
        }
        let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
        if accept.trim_start().to_ascii_lowercase().starts_with("ru") {
            Lang::Ru
        } else {
            Lang::En
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    pub fn locale(self) -> tropa_render::Locale {
        match self {
            Lang::En => tropa_render::Locale::En,
            Lang::Ru => tropa_render::Locale::Ru,
        }
    }

    /// The word for `key`; an unknown key is a bug caught by the test below.
    pub fn t(self, key: &str) -> &'static str {
        let (en, ru) = WORDS.iter().find(|(k, _, _)| *k == key).map(|(_, en, ru)| (*en, *ru)).unwrap_or(("?", "?"));
        match self {
            Lang::En => en,
            Lang::Ru => ru,
        }
    }
}

impl Lang {
    /// A channel group's name for people (`paid_search` → "Paid search" / «Платный поиск»); unknown groups as is.
    pub fn channel(self, group: &str) -> String {
        match CHANNELS.iter().find(|(k, _, _)| *k == group) {
            Some((_, en, ru)) => (if self == Lang::Ru { *ru } else { *en }).to_string(),
            None => group.to_string(),
        }
    }
}

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

const WORDS: &[(&str, &str, &str)] = &[
    ("app", "tropa — customer journey analytics", "tropa — аналитика клиентского пути"),
    ("sign_in", "Sign in", "Войти"),
    ("sign_out", "Sign out", "Выйти"),
    ("email", "E-mail", "Эл. почта"),
    ("password", "Password", "Пароль"),
    ("wrong_password", "Wrong e-mail or password", "Неверная почта или пароль"),
    ("expired_form", "The form expired: please try again", "Форма устарела: попробуйте ещё раз"),
    ("overview", "Overview", "Обзор"),
    ("project", "Project", "Проект"),
    ("customers", "Customers", "Клиенты"),
    ("events", "Events", "События"),
    ("period", "Period", "Период"),
    ("buyers", "Bought at least once", "Купили хотя бы раз"),
    ("stages_now", "Where customers are now", "Где клиенты сейчас"),
    ("top_channels", "Events by channel", "События по каналам"),
    ("events_by_day", "Events per day", "События по дням"),
    ("no_events_title", "No events yet", "Событий пока нет"),
    (
        "no_events_text",
        "Send the first event with the project's write key, from your site or any Segment library:",
        "Отправьте первое событие с ключом записи проекта — с сайта или из любой библиотеки Segment:",
    ),
    ("language", "Язык: русский", "Language: English"),
    ("role", "Role", "Роль"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_has_both_languages_and_keys_are_unique() {
        let mut keys: Vec<&str> = WORDS.iter().map(|w| w.0).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), WORDS.len());
        for (k, en, ru) in WORDS {
            assert!(!en.is_empty() && !ru.is_empty(), "{k}");
        }
        assert_eq!(Lang::Ru.t("sign_in"), "Войти");
    }
}
