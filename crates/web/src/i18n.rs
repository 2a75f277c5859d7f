//! Every word the web app shows, in English and Russian. The language: the user's setting, else the browser's
//! `Accept-Language`, else English.

use axum::http::{header, HeaderMap};

pub use tropa_core::lang::Lang;

/// The language of a request: the user's setting (`ru`, `en`), else the browser's `Accept-Language`, else English.
pub fn lang_of(setting: &str, headers: &HeaderMap) -> Lang {
    if let Some(l) = Lang::from_code(setting) {
        return l;
    }
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    Lang::from_accept_language(accept)
}

/// The web app's words in a language (the language itself is the domain's [`Lang`], the same value the CLI, the
/// query API and the application layer use).
pub trait Words {
    /// The word for `key`; an unknown key is a bug caught by the test below.
    fn t(self, key: &str) -> &'static str;
    /// A duration in seconds for people: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h` (Russian units in Russian).
    fn duration(self, seconds: Option<f64>) -> String;
    /// A date or time for people: ISO in English (`2026-03-02`, `2026-03-02 14:05`), day first in Russian
    /// (`02.03.2026`, `02.03.2026 14:05`, a month `03.2026`). Text that is not an ISO date is returned as is.
    fn date(self, iso: &str) -> String;
    /// The charts' locale.
    fn locale(self) -> tropa_render::Locale;
}

impl Words for Lang {
    fn t(self, key: &str) -> &'static str {
        let (en, ru) = WORDS.iter().find(|(k, _, _)| *k == key).map(|(_, en, ru)| (*en, *ru)).unwrap_or(("?", "?"));
        match self {
            Lang::En => en,
            Lang::Ru => ru,
        }
    }

    fn duration(self, seconds: Option<f64>) -> String {
        let Some(s) = seconds else { return "—".into() };
        let (sec, min, hour, day) = match self {
            Lang::En => ("s", "min", "h", "d"),
            Lang::Ru => ("с", "мин", "ч", "д"),
        };
        let s = s.max(0.0).round() as u64;
        match s {
            0..=59 => format!("{s} {sec}"),
            60..=3599 => format!("{} {min}", s / 60),
            3600..=86_399 if s % 3600 / 60 == 0 => format!("{} {hour}", s / 3600),
            3600..=86_399 => format!("{} {hour} {} {min}", s / 3600, s % 3600 / 60),
            _ if s % 86_400 / 3600 == 0 => format!("{} {day}", s / 86_400),
            _ => format!("{} {day} {} {hour}", s / 86_400, s % 86_400 / 3600),
        }
    }

    fn date(self, iso: &str) -> String {
        let b = iso.as_bytes();
        let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
        let is_month = digits(0..4) && b.get(4) == Some(&b'-') && digits(5..7);
        if !is_month {
            return iso.to_string();
        }
        let is_day = b.get(7) == Some(&b'-') && digits(8..10);
        let time = (is_day && matches!(b.get(10), Some(b'T') | Some(b' ')) && digits(11..13) && digits(14..16))
            .then(|| &iso[11..16]);
        let (y, m) = (&iso[..4], &iso[5..7]);
        match (self, is_day, time) {
            (Lang::Ru, false, _) => format!("{m}.{y}"),
            (Lang::Ru, true, None) => format!("{}.{m}.{y}", &iso[8..10]),
            (Lang::Ru, true, Some(t)) => format!("{}.{m}.{y} {t}", &iso[8..10]),
            (Lang::En, true, Some(t)) => format!("{} {t}", &iso[..10]),
            (Lang::En, true, None) => iso[..10].to_string(),
            (Lang::En, false, _) => iso[..7].to_string(),
        }
    }

    fn locale(self) -> tropa_render::Locale {
        match self {
            Lang::En => tropa_render::Locale::En,
            Lang::Ru => tropa_render::Locale::Ru,
        }
    }
}

const WORDS: &[(&str, &str, &str)] = &[
    ("app", "tropa — customer journey analytics", "tropa — аналитика клиентского пути"),
    ("sign_in", "Sign in", "Войти"),
    ("sign_out", "Sign out", "Выйти"),
    ("email", "E-mail", "Эл. почта"),
    ("password", "Password", "Пароль"),
    ("wrong_password", "Wrong e-mail or password", "Неверная почта или пароль"),
    ("expired_form", "The form expired: please try again", "Форма устарела: попробуйте ещё раз"),
    (
        "sign_in_throttled",
        "Too many failed sign-ins: try again in",
        "Слишком много неудачных попыток входа: попробуйте снова через"
    ),
    ("server_busy", "The server is busy: try again in a moment", "Сервер занят: попробуйте ещё раз через несколько секунд"),
    ("overview", "Overview", "Обзор"),
    ("project", "Project", "Проект"),
    ("customers", "Customers", "Клиенты"),
    ("events", "Events", "События"),
    ("period", "Period", "Период"),
    ("buyers", "Bought at least once", "Купили хотя бы раз"),
    ("stages_now", "Where customers are now", "Где клиенты сейчас"),
    ("top_channels", "Events by channel", "События по каналам"),
    ("events_by_day", "Events per day", "События по дням"),
    // the audit log (ui/audit.rs); actions as `audit.` + their dotted name
    ("audit_log", "Audit log", "Журнал действий"),
    (
        "audit_hint",
        "Who changed projects, keys, users, maps, definitions and data, when and from where; newest first. The log never holds secrets, passwords or customers' ids.",
        "Кто менял проекты, ключи, пользователей, карты, определения и данные, когда и откуда; новые записи сверху. Журнал не хранит секретов, паролей и идентификаторов клиентов.",
    ),
    ("audit_time", "Time (UTC)", "Время (UTC)"),
    ("audit_who", "Who", "Кто"),
    ("audit_address", "From", "Откуда"),
    ("audit_action", "Action", "Действие"),
    ("audit_target", "What", "Объект"),
    ("audit_details", "Details", "Подробности"),
    ("audit_all_projects", "All projects", "Все проекты"),
    ("audit_all_actions", "All actions", "Все действия"),
    ("audit_show", "Show", "Показать"),
    ("audit_older", "Older →", "Раньше →"),
    ("audit_newest", "← Latest", "← Последние"),
    ("audit_empty", "No entries.", "Записей нет."),
    ("audit_cli", "command line", "командная строка"),
    ("audit_system", "tropa itself", "сама tropa"),
    ("audit.project.create", "Project created", "Создан проект"),
    ("audit.key.create", "Key created", "Создан ключ"),
    ("audit.key.revoke", "Key revoked", "Отозван ключ"),
    ("audit.user.create", "User created", "Создан пользователь"),
    ("audit.user.role", "Role changed", "Изменена роль"),
    ("audit.user.password_reset", "Password reset", "Пароль сброшен"),
    ("audit.user.password_change", "Own password changed", "Изменён свой пароль"),
    ("audit.user.delete", "User deleted", "Удалён пользователь"),
    ("audit.project.settings", "Project settings changed", "Изменены настройки проекта"),
    ("project_settings", "Project", "Проект"),
    ("settings_saved", "Saved: every report now uses these settings.", "Сохранено: все отчёты теперь используют эти настройки."),
    ("time_zone", "Time zone", "Часовой пояс"),
    ("time_zone_hint", "An IANA name such as Europe/Moscow or Asia/Novosibirsk: every report counts its days, weeks and months in this zone.", "Название по IANA, например Europe/Moscow или Asia/Novosibirsk: все отчёты считают дни, недели и месяцы в этом поясе."),
    ("currency", "Currency", "Валюта"),
    ("currency_hint", "Three letters (ISO 4217), e.g. RUB, EUR, USD: the label of revenue; amounts are never converted.", "Три буквы (ISO 4217), например RUB, EUR, USD: подпись выручки; суммы не пересчитываются."),
    ("audit.member.set", "Member added or role changed", "Участник добавлен или его роль изменена"),
    ("audit.member.remove", "Member removed", "Участник убран из проекта"),
    ("audit.map.create", "Map created", "Создана карта"),
    ("audit.map.import", "Map imported", "Импортирована карта"),
    ("audit.map.delete", "Map deleted", "Удалена карта"),
    ("audit.map.share", "Share link created", "Создана ссылка для просмотра"),
    ("audit.map.unshare", "Share links revoked", "Отозваны ссылки для просмотра"),
    ("audit.persona.save", "Persona saved", "Сохранена персона"),
    ("audit.persona.delete", "Persona deleted", "Удалена персона"),
    ("audit.definition.save", "Journey definition saved", "Сохранено определение пути"),
    ("audit.definition.reset", "Journey definition reset to the default", "Определение пути сброшено на стандартное"),
    ("audit.data.forget", "Customer's data deleted", "Удалены данные клиента"),
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
    ("customer_id", "Id, e-mail, phone or order number", "Id, e-mail, телефон или номер заказа"),
    ("find", "Find", "Найти"),
    ("no_customer", "No customer has this id, e-mail, phone or order number:", "Нет клиента с таким id, e-mail, телефоном или номером заказа:"),
    (
        "customers_hint",
        "Any id of a customer, their e-mail or phone (traits email, phone) or an order number (property order_id) finds the whole journey: every device and channel, after identify and alias joined them.",
        "Любой id клиента, его e-mail или телефон (признаки email, phone) или номер заказа (свойство order_id) находит весь путь: все устройства и каналы, объединённые через identify и alias.",
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
    ("stages", "Stages", "Этапы"),
    ("definition", "Journey definition (stages and their rules)", "Определение пути (этапы и их правила)"),
    ("definition_saved", "Saved: the overview and the stage filters now use this definition.", "Сохранено: обзор и фильтры по этапам теперь используют это определение."),
    ("definition_reset", "The project uses the default definition again.", "Проект снова использует определение по умолчанию."),
    ("definition_is_saved", "This is the project's saved definition.", "Это сохранённое определение проекта."),
    ("definition_is_default", "This is the default definition (the five stages from awareness to repeat purchase); edit and save it for the project.", "Это определение по умолчанию (пять этапов от осведомлённости до повторной покупки); измените и сохраните его для проекта."),
    ("save_definition", "Save for the project", "Сохранить для проекта"),
    ("reset_definition", "Back to the default", "Вернуть по умолчанию"),
    ("viewer_cannot_save", "Analysts and admins can save a definition for the project.", "Сохранять определение для проекта могут аналитики и администраторы."),
    ("format", "Format", "Формат"),
    ("as_of", "As of", "На дату"),
    ("stuck_after", "Stuck after", "Застрял, если дольше"),
    ("transitions_from", "Lifecycle changes since", "Изменения жизненного цикла с"),
    ("stages_hint", "Empty dates: the last event and 30 days before it.", "Пустые даты: последнее событие и 30 дней до него."),
    ("no_stage", "Entered no stage", "Не вошли ни в один этап"),
    ("reached_last", "Reached the last stage", "Дошли до последнего этапа"),
    ("stage_reached_chart", "Customers who reached each stage", "Клиенты, дошедшие до каждого этапа"),
    ("stuck_chart", "Customers stuck in the stage longer than", "Застряли на этапе дольше"),
    ("lifecycle_chart", "Lifecycle states", "Состояния жизненного цикла"),
    ("entered", "Reached", "Дошли"),
    ("now_in_stage", "Now in it", "Сейчас на этапе"),
    ("to_next", "To next", "В следующий"),
    ("median_in_stage", "Median time in stage", "Медиана времени на этапе"),
    ("p90_in_stage", "p90 time in stage", "p90 времени на этапе"),
    ("median_still", "Median so far (still there)", "Медиана пока (ещё на этапе)"),
    ("stuck", "Stuck", "Застряли"),
    ("transitions", "Lifecycle transitions", "Переходы жизненного цикла"),
    ("transitions_chart", "State then → state now, share of the row:", "Состояние тогда → сейчас, доля строки:"),
    ("transitions_hint", "Each row is the customers in a state at the first date; the cells are where they are at the second.", "Каждая строка — клиенты в состоянии на первую дату; ячейки — где они на вторую."),
    ("lc_none", "not yet active", "ещё не было"),
    ("lc_new", "new", "новые"),
    ("lc_active", "active", "активные"),
    ("lc_returning", "returning", "вернувшиеся"),
    ("lc_reactivated", "reactivated", "реактивированные"),
    ("lc_dormant", "dormant", "уснувшие"),
    ("lc_churned", "churned", "ушедшие"),
    ("find_one", "Open a customer", "Открыть клиента"),
    ("find_many", "Find customers", "Найти клиентов"),
    ("trait_condition", "Trait", "Признак"),
    ("did_event", "Did the event", "Совершили событие"),
    ("first_channel", "First channel", "Первый канал"),
    ("customers_found", "Customers found", "Найдено клиентов"),
    ("showing_first", "Showing the first", "Показаны первые"),
    ("customer", "Customer", "Клиент"),
    ("first_seen", "First event (UTC)", "Первое событие (UTC)"),
    ("last_seen", "Last event (UTC)", "Последнее событие (UTC)"),
    ("maps", "Journey maps", "Карты пути"),
    ("no_maps", "No journey maps yet: start from a ready map for your kind of business or import a YAML/JSON map.", "Карт пути пока нет: начните с готовой карты для вашего вида бизнеса или импортируйте карту в YAML/JSON."),
    ("map_title", "Title", "Название"),
    ("version", "Version", "Версия"),
    ("changed", "Changed", "Изменена"),
    ("new_map", "New map from a template", "Новая карта из шаблона"),
    ("template", "Template", "Шаблон"),
    ("map_language", "Language of the map", "Язык карты"),
    ("import_map", "Import a map", "Импорт карты"),
    ("import_hint", "The map as YAML or JSON (as exported)", "Карта в YAML или JSON (как при экспорте)"),
    ("import", "Import", "Импортировать"),
    ("imported", "imported", "импорт"),
    ("from_template", "from the template", "из шаблона"),
    ("personas", "Personas", "Персоны"),
    ("move_left", "Move left", "Сдвинуть влево"),
    ("move_right", "Move right", "Сдвинуть вправо"),
    ("move_up", "Move up", "Выше"),
    ("move_down", "Move down", "Ниже"),
    ("remove_stage", "Remove the stage", "Удалить этап"),
    ("remove_lane", "Remove the lane", "Удалить строку"),
    ("stage_name", "Stage name", "Название этапа"),
    ("stage_rule", "Rule: events, one per line", "Правило: события, по одному в строке"),
    ("lane_name", "Lane title", "Название строки"),
    ("data_lane", "from data", "из данных"),
    ("emotion", "Emotion", "Эмоция"),
    ("vs_previous", "against the previous period", "к предыдущему периоду"),
    ("all_customers_map", "All customers", "Все клиенты"),
    ("viewing_version", "You are viewing version", "Вы смотрите версию"),
    ("latest_is", "the latest is", "последняя —"),
    ("open_latest", "Open the latest", "Открыть последнюю"),
    ("persona", "Persona", "Персона"),
    ("history", "History", "История"),
    ("compare", "Compare", "Сравнить"),
    ("add_stage", "Add a stage at the end", "Добавить этап в конец"),
    ("add", "Add", "Добавить"),
    ("add_lane", "Add a lane", "Добавить строку"),
    ("lane_kind", "Kind", "Тип"),
    ("problem_lane", "Problem events", "Проблемные события"),
    ("problem_events_lines", "Events that count as a problem, one per line", "События-проблемы, по одному в строке"),
    ("map_period", "Period of the data lanes", "Период строк данных"),
    ("map_period_hint", "Empty: all data; arrows compare with the same length before, or with 30 days earlier.", "Пусто — все данные; стрелки сравнивают с таким же периодом до или с данными 30 дней назад."),
    ("suggestions", "Suggested by the data", "Подсказки из данных"),
    ("accept", "Add to the map", "Добавить на карту"),
    ("accepted", "on the map", "уже на карте"),
    ("no_lane_for_it", "add a lane of this kind to accept it", "добавьте строку этого типа, чтобы принять"),
    ("no_share", "No share link.", "Ссылки для просмотра нет."),
    ("live_shares", "Live share links", "Действующие ссылки"),
    ("share_link", "Read-only link", "Ссылка для просмотра"),
    ("new_share", "Create a link", "Создать ссылку"),
    ("revoke_shares", "Revoke links", "Отозвать ссылки"),
    ("confirm_delete_map", "Delete the map with all its versions?", "Удалить карту со всеми версиями?"),
    ("confirm_remove_member", "Remove this member from the project?", "Убрать участника из проекта?"),
    ("confirm_delete_report", "Delete this saved report?", "Удалить сохранённый отчёт?"),
    ("confirm_revoke_key", "Revoke the key? Clients that use it stop working at once.", "Отозвать ключ? Клиенты с этим ключом сразу перестанут работать."),
    ("confirm_delete_user", "Delete this user and end their sessions?", "Удалить пользователя и завершить его сеансы?"),
    ("confirm_delete_persona", "Delete this persona? Maps that show it fall back to all customers.", "Удалить персону? Карты, где она выбрана, покажут всех клиентов."),
    ("confirm_reset_definition", "Go back to the default stages? The project's own definition is replaced.", "Вернуть этапы по умолчанию? Собственное определение проекта будет заменено."),
    ("copy_link", "Copy the link", "Скопировать ссылку"),
    ("copied", "Copied", "Скопировано"),
    ("delete_map", "Delete the map", "Удалить карту"),
    ("share_created", "Share link created", "Ссылка создана"),
    ("share_once", "Anyone with this link sees the map read-only. Copy it now: it is shown once.", "Любой, у кого есть ссылка, видит карту без права правки. Скопируйте её сейчас: она показывается один раз."),
    ("map_changed_elsewhere", "The map was changed meanwhile: reload it; the latest version is", "Карту изменили параллельно: обновите страницу; последняя версия —"),
    ("map_changed_elsewhere_short", "Changed elsewhere: reload", "Изменено параллельно: обновите страницу"),
    ("saving", "Saving…", "Сохраняю…"),
    ("saved_version", "Saved · version", "Сохранено · версия"),
    ("not_saved_offline", "Not saved: no connection", "Не сохранено: нет связи"),
    ("back_to_map", "Back to the map", "К карте"),
    ("author", "Author", "Автор"),
    ("change", "Change", "Изменение"),
    ("what_changed", "What changed", "Что изменилось"),
    ("lane", "Lane", "Строка"),
    ("stage_order", "Order of stages", "Порядок этапов"),
    ("lane_order", "Order of lanes", "Порядок строк"),
    ("period_syntax", "Periods: write FROM..TO, e.g. 2026-03-01..2026-06-01", "Периоды: пишите С..ПО, например 2026-03-01..2026-06-01"),
    ("versions", "Versions", "Версии"),
    ("periods", "Periods", "Периоды"),
    ("no_changes", "No differences.", "Различий нет."),
    ("share_gone", "This link does not exist or was revoked.", "Такой ссылки нет или она отозвана."),
    ("shared_read_only", "Read-only view", "Только просмотр"),
    ("persona_goals", "Goals", "Цели"),
    ("persona_needs", "Needs", "Потребности"),
    ("persona_pains", "Pains", "Боли"),
    ("persona_channels", "Preferred channels", "Предпочитаемые каналы"),
    ("segment_rule", "Found by", "Отбор"),
    ("everyone", "everyone", "все"),
    ("new_persona", "New persona", "Новая персона"),
    ("edit_persona", "Edit persona", "Изменить персону"),
    ("edit", "Edit", "Изменить"),
    ("persona_key", "Key (a-z, 0-9, _)", "Ключ (a-z, 0-9, _)"),
    ("age", "Age", "Возраст"),
    ("occupation", "Occupation", "Занятие"),
    ("quote", "Quote", "Цитата"),
    ("persona_traits", "Traits of such customers, one per line", "Признаки таких клиентов, по одному в строке"),
    ("persona_hint", "Lists: one item per line. The traits and events find the persona's customers in the data.", "Списки — по пункту в строке. Признаки и события находят клиентов персоны в данных."),
    ("settings", "Settings", "Настройки"),
    ("persona_name", "Name", "Имя"),
    ("map_segment", "Which customers the data lanes count", "Каких клиентов считают строки данных"),
    ("rule", "Rule", "Правило"),
    ("problem_events", "Problem events (comma-separated)", "Проблемные события (через запятую)"),
    ("problem_chart", "Share of the stage's customers who met a problem there", "Доля клиентов этапа, столкнувшихся на нём с проблемой"),
    ("exclusion", "exclusion", "исключение"),
    ("exclusion_syntax", "write N: EVENT, e.g. 2: support_ticket", "пишите N: СОБЫТИЕ, например 2: support_ticket"),
    ("filters", "Which customers", "Какие клиенты"),
    ("did_not_event", "Did not do the event", "Не совершали событие"),
    ("current_stage", "Stage now", "Этап сейчас"),
    ("exclusions", "Exclusions (N: event between step N and N+1)", "Исключения (N: событие между шагами N и N+1)"),
    ("stage", "Stage", "Этап"),
    ("saved_reports", "Saved", "Сохранённые"),
    ("none_saved", "none yet", "пока нет"),
    ("save_as", "Save as", "Сохранить как"),
    ("report_name", "name", "название"),
    ("report_saved", "Saved:", "Сохранено:"),
    ("download", "Download", "Скачать"),
    ("revenue_by_day", "Revenue per day", "Выручка по дням"),
    ("account", "My account", "Мой профиль"),
    ("projects", "Projects", "Проекты"),
    ("api_keys", "API keys", "API-ключи"),
    ("users", "Users", "Пользователи"),
    ("members", "Members", "Участники"),
    ("member_of", "Project (the role applies there; an admin manages every project)", "Проект (роль действует в нём; администратор управляет всеми проектами)"),
    ("members_hint", "Who may open this project and what they may do: admins manage its keys and members, analysts edit reports, definitions and maps, viewers read. Instance admins may open every project.", "Кто может открыть этот проект и что ему можно: администраторы управляют ключами и участниками, аналитики меняют отчёты, определения и карты, читатели смотрят. Администраторы системы открывают любой проект."),
    ("add_member", "Add a member", "Добавить участника"),
    ("remove_member", "Remove", "Убрать"),
    ("no_members", "No members yet: only instance admins may open this project.", "Участников пока нет: проект открывают только администраторы системы."),
    ("no_such_user", "no such user: create them first on the Users tab", "такого пользователя нет: сначала создайте его на вкладке «Пользователи»"),
    ("not_a_role", "use admin, analyst or viewer", "выберите администратора, аналитика или читателя"),
    ("language_setting", "Language", "Язык"),
    ("lang_browser", "as in the browser", "как в браузере"),
    ("save", "Save", "Сохранить"),
    ("change_password", "Change password", "Сменить пароль"),
    ("current_password", "Current password", "Текущий пароль"),
    ("new_password", "New password (at least 10 characters)", "Новый пароль (не короче 10 символов)"),
    ("repeat_password", "New password again", "Новый пароль ещё раз"),
    ("passwords_differ", "The two new passwords differ", "Новые пароли не совпадают"),
    ("wrong_current_password", "This is not your current password", "Это не ваш текущий пароль"),
    ("admin", "admin", "администратор"),
    ("analyst", "analyst", "аналитик"),
    ("viewer", "viewer", "читатель"),
    ("forbidden", "This page needs the role", "Для этой страницы нужна роль"),
    ("not_found", "There is no such page, or it is not yours to see.", "Такой страницы нет, или она вам недоступна."),
    ("internal_error", "Something went wrong on the server; the server log has the details.", "На сервере что-то пошло не так; подробности — в журнале сервера."),
    ("form_too_large", "The form is too large.", "Форма слишком большая."),
    ("not_a_form", "The request is not a form.", "Запрос — не форма."),
    ("project_id", "Project id", "Идентификатор проекта"),
    ("project_id_hint", "1–40 of a-z, 0-9, -, _; used in URLs and the CLI's --project.", "1–40 символов a-z, 0-9, -, _; используется в адресах и в --project командной строки."),
    ("name", "Name", "Название"),
    ("created", "Created", "Создан"),
    ("live_keys", "Active keys", "Действующих ключей"),
    ("new_project", "New project", "Новый проект"),
    ("create", "Create", "Создать"),
    ("revoked", "revoked", "отозван"),
    ("revoke", "Revoke", "Отозвать"),
    ("key", "Key", "Ключ"),
    ("kind", "Kind", "Тип"),
    ("key_write", "write (send events)", "запись (отправка событий)"),
    ("key_read", "read (query API)", "чтение (API запросов)"),
    ("label", "Label", "Подпись"),
    ("label_hint", "site, mobile app, BI…", "сайт, приложение, BI…"),
    ("new_key", "New key", "Новый ключ"),
    ("key_created", "Key created", "Ключ создан"),
    ("key_shown_once", "Copy it now: it is shown only once and stored only as a digest.", "Скопируйте его сейчас: он показывается один раз и хранится только как хеш."),
    ("snippet_hint", "The tracking snippet for the site with this key:", "Код отслеживания для сайта с этим ключом:"),
    ("not_a_number", "not a number", "не число"),
    ("reset_password", "New password", "Новый пароль"),
    ("reset_own", "Change your own password on the My account tab", "Свой пароль меняйте на вкладке «Мой профиль»"),
    ("delete", "Delete", "Удалить"),
    ("new_user", "New user", "Новый пользователь"),
    (
        "roles_hint",
        "Viewers read reports; analysts also save reports, definitions and maps; admins manage projects, keys and users. A password is generated and shown once.",
        "Читатели смотрят отчёты; аналитики ещё и сохраняют отчёты, определения и карты; администраторы управляют проектами, ключами и пользователями. Пароль создаётся автоматически и показывается один раз.",
    ),
    ("password_created", "Password created", "Пароль создан"),
    ("password_shown_once", "Give it to the user; it is shown only once. Password for", "Передайте его пользователю; он показывается один раз. Пароль для"),
    // settings
    ("instance_user", "user (roles in projects)", "пользователь (роли в проектах)"),
    // reports
    ("not_whole_number", "is not a whole number", "— не целое число"),
    ("download_format", "A chart downloads as SVG, PNG or CSV.", "График скачивается в SVG, PNG или CSV."),
    ("report_kind_unknown", "Reports are saved from the funnels, paths and retention pages.", "Отчёты сохраняются со страниц воронок, путей и удержания."),
    ("report_name_length", "A report's name has 1 to 120 characters.", "Название отчёта — от 1 до 120 символов."),
    ("report_too_long", "The report's settings are too long to save.", "Параметры отчёта слишком длинные, чтобы их сохранить."),
    ("report_id", "Which saved report to delete is not said.", "Не указано, какой сохранённый отчёт удалить."),
    ("stages_action", "is not an action of this form: use its buttons", "— не действие этой формы: используйте её кнопки"),
    // ---- one journey model: the stage editor, linked maps, map versions (journey-model) ----
    ("audit.map.restore", "Map version restored", "Восстановлена версия карты"),
    ("audit.map.version_name", "Map version named", "Версии карты дано имя"),
    ("audit.map.stages", "Map linked to the project's stages or detached", "Карта связана с этапами проекта или отвязана"),
    ("version_name", "Name", "Название"),
    ("version_name_hint", "e.g. Before the sale", "например, До распродажи"),
    ("version_name_rule", "up to 100 characters, without line breaks", "до 100 символов, без переносов строк"),
    ("name_version", "Name it", "Назвать"),
    ("restore_version", "Restore", "Восстановить"),
    ("confirm_restore", "Make this version the newest? Nothing is lost: the current one stays in the history.", "Сделать эту версию последней? Ничего не пропадёт: текущая останется в истории."),
    ("version_restored", "The version is restored as the newest one; the earlier ones stay in the history.", "Версия восстановлена как последняя; прежние остались в истории."),
    ("restored_from", "Restored version", "Восстановлена версия"),
    ("stages_from_project", "Stages taken from the project's stages", "Этапы взяты из этапов проекта"),
    ("stage_link_choice", "choose the project's stages or the map's own", "выберите этапы проекта или собственные этапы карты"),
    ("stages_linked", "Stages: the project's stages", "Этапы: этапы проекта"),
    ("stages_detached", "Stages: this map's own", "Этапы: собственные этапы карты"),
    ("link_stages", "Use the project's stages", "Взять этапы проекта"),
    ("detach_stages", "Keep this map's own stages", "Оставить карте свои этапы"),
    ("edit_project_stages", "Edit the project's stages", "Изменить этапы проекта"),
    ("stages_now_detached", "The map keeps its own stages now: changes of the project's stages no longer change it.", "Теперь у карты свои этапы: изменения этапов проекта её больше не меняют."),
    ("numbers_recomputed", "The rules changed: the numbers were recomputed and are shown below.", "Правила изменились: цифры пересчитаны и показаны ниже."),
    ("journey_stages", "Your customers' journey", "Путь ваших клиентов"),
    ("stage_editor_hint", "Each stage is entered when a customer does one of its events (optionally with a condition). Customers go through the stages in this order.", "Клиент входит в этап, когда совершает одно из его событий (можно с условием). Клиенты проходят этапы в этом порядке."),
    ("stages_have_problems", "Some stages need a fix: see the fields marked below.", "Некоторые этапы нужно поправить: смотрите отмеченные поля ниже."),
    ("show_numbers", "Show the numbers", "Показать цифры"),
    ("any_event", "any event", "любое событие"),
    ("name_en", "Name in English", "Название по-английски"),
    ("name_ru", "Name in Russian", "Название по-русски"),
    ("entered_when", "Entered when the customer does", "Вход в этап, когда клиент совершает"),
    ("or_event", "or another event", "или другое событие"),
    ("or", "or", "или"),
    ("where_field", "where", "где"),
    ("condition_field", "field (optional)", "поле (необязательно)"),
    ("condition_op", "comparison", "сравнение"),
    ("condition_value", "value", "значение"),
    ("more_conditions", "further conditions", "другие условия"),
    ("remove_event", "Remove this event", "Убрать это событие"),
    ("op_eq", "is", "равно"),
    ("op_ne", "is not", "не равно"),
    ("op_contains", "contains", "содержит"),
    ("op_not_contains", "does not contain", "не содержит"),
    ("op_gt", "more than", "больше"),
    ("op_ge", "at least", "не меньше"),
    ("op_lt", "less than", "меньше"),
    ("op_le", "at most", "не больше"),
    ("more_settings", "More: repeats, time limit, key", "Ещё: повторы, срок, ключ"),
    ("nth_time", "Counts from the nth time (2 = the second purchase)", "Считается с n-го раза (2 = вторая покупка)"),
    ("within_previous", "At most this long after the previous stage (e.g. 30d)", "Не позже чем через (например, 30d) после предыдущего этапа"),
    ("stage_key", "Key (used in links and the API)", "Ключ (для ссылок и API)"),
    ("order_and_lifecycle", "Order of stages and activity", "Порядок этапов и активность"),
    ("stage_order_rule", "How stages follow each other", "Как этапы следуют друг за другом"),
    ("order_sequential", "One after another: a stage counts only after the previous one", "Друг за другом: этап засчитывается только после предыдущего"),
    ("order_implied", "Implied: reaching a stage counts every earlier one too", "С засчётом: достигнутый этап засчитывает и все предыдущие"),
    ("activity_events", "Events that count as activity (one per line; empty: any)", "События, которые считаются активностью (по одному в строке; пусто — любые)"),
    ("dormant_after", "Dormant after no activity for", "Спящий, если нет активности"),
    ("churned_after", "Churned after no activity for", "Ушедший, если нет активности"),
    ("import_export_stages", "Import or export as a file (TOML, YAML, JSON)", "Импорт и экспорт файлом (TOML, YAML, JSON)"),
    ("import_stages_hint", "Paste a file to load it into the editor (nothing is saved until you save):", "Вставьте файл, чтобы загрузить его в редактор (ничего не сохранится, пока вы не нажмёте «Сохранить»):"),
    ("import_into_editor", "Load into the editor", "Загрузить в редактор"),
    ("imported_check_save", "Loaded into the editor: check the stages and save them.", "Загружено в редактор: проверьте этапы и сохраните их."),
    ("new_map_stages", "Stages", "Этапы"),
    ("new_map_linked", "The project's stages (the same numbers as the stages page; they follow its changes)", "Этапы проекта (те же цифры, что на странице этапов; меняются вместе с ней)"),
    ("new_map_detached", "The template's own stages (this map only)", "Собственные этапы шаблона (только для этой карты)"),
    ("was", "before", "было"),
    ("compare_one_hint", "The later version; every cell that differs is marked, with what it held in the earlier version under it.", "Более поздняя версия; каждая изменившаяся ячейка отмечена, под ней — что в ней было в более ранней версии."),
    ("persona_traits_hint", "One condition a row, e.g. city · is · Kazan; leave a row empty to skip it.", "По одному условию в строке, например: city · равно · Казань; пустые строки не учитываются."),
    ("persona_matches_nobody", "No customer fits this persona:", "Под эту персону не подходит ни один клиент:"),
    ("persona_condition_nobody", "no customer has", "ни у одного клиента нет"),
    ("all_short", "all", "все"),
    ("linked_stages_elsewhere", "This map uses the project's stages: change them on the stages page, or keep this map's own stages first.", "Эта карта использует этапы проекта: меняйте их на странице этапов или сначала оставьте карте свои этапы."),
    ("persona_trait_rows", "Traits of such customers", "Признаки таких клиентов"),
    ("rule_of_stage", "Rule of the stage", "Правило этапа"),
    ("map_stage_rules", "The map's stages", "Этапы карты"),
    ("map_stage_rules_hint", "The same editor as the project's stages: a customer enters a stage when they do one of its events. Saving makes one new version and recomputes the numbers.", "Тот же редактор, что у этапов проекта: клиент входит в этап, когда совершает одно из его событий. Сохранение создаёт одну новую версию и пересчитывает цифры."),
    ("save_stage_rules", "Save the stages", "Сохранить этапы"),
    ("edit_map_stages", "Edit the stages", "Изменить этапы"),
    ("map_events_missing", "Some rules name events your data has never had, so their numbers are zero:", "Некоторые правила называют события, которых в ваших данных ещё не было, поэтому их цифры нулевые:"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_follow_the_language() {
        assert_eq!(Lang::Ru.date("2026-03-02"), "02.03.2026");
        assert_eq!(Lang::Ru.date("2026-03-02T14:05:09.123Z"), "02.03.2026 14:05");
        assert_eq!(Lang::Ru.date("2026-03"), "03.2026");
        assert_eq!(Lang::En.date("2026-03-02T14:05:09Z"), "2026-03-02 14:05");
        assert_eq!(Lang::En.date("2026-03-02"), "2026-03-02");
        assert_eq!(Lang::Ru.date("week 12"), "week 12");
        assert_eq!(Lang::Ru.date("20"), "20");
    }

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

    /// Every literal key the web app asks for (`.t("key")` in its source) has its words; keys built at run time
    /// (roles, lifecycle states) are checked by name here too.
    #[test]
    fn every_key_the_pages_use_exists() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![];
        let mut dirs = vec![dir];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        let mut missing = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for part in text.split(".t(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                if !WORDS.iter().any(|w| w.0 == key) {
                    missing.push(format!("{}: {key}", f.display()));
                }
            }
        }
        for key in ["admin", "analyst", "viewer", "lc_none", "lc_new", "lc_active", "lc_returning", "lc_reactivated"] {
            if !WORDS.iter().any(|w| w.0 == key) {
                missing.push(key.to_string());
            }
        }
        assert!(missing.is_empty(), "words missing: {missing:?}");
    }
}
