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
    /// A duration in seconds for people: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h` (Russian units in Russian).
    pub fn duration(self, seconds: Option<f64>) -> String {
        let Some(s) = seconds else { return "—".into() };
        let (sec, min, hour, day) = match self {
            Lang::En => ("s", "min", "h", "d"),
            Lang::Ru => ("с", "мин", "ч", "д"),
        };
        let s = s.max(0.0).round() as u64;
        match s {
            0..=59 => format!("{s} {sec}"),
            60..=3599 => format!("{} {min}", s / 60),
            3600..=86_399 => format!("{} {hour} {} {min}", s / 3600, s % 3600 / 60),
            _ => format!("{} {day} {} {hour}", s / 86_400, s % 86_400 / 3600),
        }
    }

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
    ("funnels", "Funnels", "Воронки"),
    ("steps", "Steps, one per line", "Шаги, по одному в строке"),
    (
        "steps_hint",
        "An event and conditions: purchase where revenue > 1000; ? before an optional step.",
        "Событие и условия: purchase where revenue > 1000; ? перед необязательным шагом.",
    ),
    ("mode", "Order", "Порядок"),
    ("mode_ordered", "in order, other events between", "по порядку, с событиями между шагами"),
    ("mode_strict", "strictly in a row", "строго подряд"),
    ("mode_any", "any order", "в любом порядке"),
    ("window", "Conversion window", "Окно конверсии"),
    ("breakdown", "Breakdown", "Разбивка"),
    ("trend", "Trend by", "Динамика по"),
    ("day", "day", "дням"),
    ("week", "week", "неделям"),
    ("month", "month", "месяцам"),
    ("since", "From", "С"),
    ("until", "Until", "До"),
    ("run", "Show", "Показать"),
    ("funnel_chart", "Customers at each step", "Клиенты на каждом шаге"),
    ("trend_chart", "Conversion by entry period", "Конверсия по периоду входа"),
    ("step", "Step", "Шаг"),
    ("of_first", "Of first", "От первого"),
    ("of_previous", "Of previous", "От предыдущего"),
    ("dropped", "Dropped", "Отвалилось"),
    ("median_time", "Median time", "Медиана времени"),
    ("p90_time", "p90 time", "p90 времени"),
    ("conversion", "Conversion", "Конверсия"),
    ("converted", "Converted", "Дошли до конца"),
    ("value", "Value", "Значение"),
    ("went_instead", "Where did they go instead", "Куда ушли вместо следующего шага"),
    ("after_step", "After step", "После шага"),
    ("next_event", "Next event", "Следующее событие"),
    ("share", "Share", "Доля"),
    ("line", "line", "строка"),
    ("paths", "Paths", "Пути"),
    ("paths_from", "Start at the first", "Начать с первого"),
    ("paths_to", "End at the first", "Закончить первым"),
    ("paths_hint", "Give a start, an end, or both.", "Укажите начало, конец или оба."),
    ("depth", "Events per path", "Событий в пути"),
    ("collapse", "count repeats once", "повторы считать один раз"),
    ("session_gap", "Session ends after a gap of", "Сессия кончается после паузы"),
    ("conversion_event", "Conversion event", "Событие конверсии"),
    ("paths_chart", "How customers move", "Как двигаются клиенты"),
    ("path_end", "(end)", "(конец)"),
    ("path_start", "(start)", "(начало)"),
    ("distinct_paths", "Distinct paths", "Разных путей"),
    ("path", "Path", "Путь"),
    ("retention", "Retention", "Удержание"),
    ("customers_page", "Customers", "Клиенты"),
    ("customer_id", "Anonymous id or user id", "Анонимный id или id пользователя"),
    ("find", "Find", "Найти"),
    ("no_customer", "No customer has the id", "Нет клиента с идентификатором"),
    (
        "customers_hint",
        "Any id of a customer finds the whole journey: every device and channel, after identify and alias joined them.",
        "Любой id клиента находит весь путь: все устройства и каналы, объединённые через identify и alias.",
    ),
    ("ids", "Ids of this customer", "Идентификаторы клиента"),
    ("revenue", "Revenue", "Выручка"),
    ("links", "How the ids were linked", "Как связаны идентификаторы"),
    ("timeline", "Timeline", "Хронология"),
    ("time", "Time (UTC)", "Время (UTC)"),
    ("event", "Event", "Событие"),
    ("channel", "Channel", "Канал"),
    ("touchpoint", "Touchpoint", "Точка контакта"),
    ("device", "Device", "Устройство"),
    ("details", "Details", "Подробности"),
    ("cohort_event", "Cohort by the first", "Когорта по первому"),
    ("return_event", "Coming back means", "Возвратом считается"),
    (
        "retention_hint",
        "* is any event; purchase for the first purchase.",
        "* — любое событие; purchase — первая покупка.",
    ),
    ("period_unit", "Period", "Период"),
    ("columns", "Periods shown", "Сколько периодов"),
    ("ret_on", "came back in that period", "вернулись именно в этот период"),
    ("ret_on_or_after", "came back in it or later", "вернулись в этот период или позже"),
    ("cohorts_chart", "Cohorts: share who came back", "Когорты: доля вернувшихся"),
    ("curve_chart", "Retention curve", "Кривая удержания"),
    ("all_customers", "all customers", "все клиенты"),
    ("observed_until", "Data observed until", "Данные есть до"),
    ("end_of_journey", "(end of journey)", "(конец пути)"),
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
