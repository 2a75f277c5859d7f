//! Which source column feeds which event field (`--column user_id=uid`), field defaults (`--set touchpoint=store`)
//! and the automatic mapping by column name.
//!
//! Resolution, per field: an explicit `--column` (by exact name, then case-insensitively, then as a 0-based
//! index); else the first column, not already used, whose name normalised (lower case, without `_`, `-`, `.` and
//! spaces) equals one of the field's aliases, e.g. `User_id`, `userId` → `user_id`, `event_type` → `event`,
//! `event_time` → `timestamp`. Columns left unmapped become event properties.

use std::path::Path;

use crate::error::IoError;

/// An event field a column can be mapped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    MessageId,
    Type,
    UserId,
    AnonymousId,
    Event,
    Timestamp,
    ReceivedAt,
    Touchpoint,
    Source,
    Medium,
    Campaign,
    Term,
    Content,
    Referrer,
    /// The channel group; derived from source, medium, referrer and touchpoint when not mapped.
    Channel,
    Revenue,
    Currency,
    /// A column holding a JSON object text, merged with the unmapped columns.
    Properties,
    /// A column holding a JSON object text.
    Traits,
    PageUrl,
    PageTitle,
    UserAgent,
    Ip,
    Country,
    City,
    Locale,
}

/// Number of [`Field`]s.
pub(crate) const FIELDS: usize = 26;

impl Field {
    pub const ALL: [Field; FIELDS] = [
        Field::MessageId,
        Field::Type,
        Field::UserId,
        Field::AnonymousId,
        Field::Event,
        Field::Timestamp,
        Field::ReceivedAt,
        Field::Touchpoint,
        Field::Source,
        Field::Medium,
        Field::Campaign,
        Field::Term,
        Field::Content,
        Field::Referrer,
        Field::Channel,
        Field::Revenue,
        Field::Currency,
        Field::Properties,
        Field::Traits,
        Field::PageUrl,
        Field::PageTitle,
        Field::UserAgent,
        Field::Ip,
        Field::Country,
        Field::City,
        Field::Locale,
    ];

    /// The name used in `--column` and `--set` (also the Parquet export column name, except `event`).
    pub fn name(self) -> &'static str {
        self.spec().0
    }

    pub fn parse(name: &str) -> Option<Field> {
        let n = name.trim();
        Field::ALL.into_iter().find(|f| f.name() == n)
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// Normalised column names recognised without an explicit mapping, best first.
    pub(crate) fn aliases(self) -> &'static [&'static str] {
        self.spec().1
    }

    /// Where the field lives in a Segment message (empty: it has no place there).
    pub(crate) fn segment_path(self) -> &'static [&'static str] {
        self.spec().2
    }

    fn spec(self) -> (&'static str, &'static [&'static str], &'static [&'static str]) {
        const CAMPAIGN: &str = "campaign";
        match self {
            Field::MessageId => ("message_id", &["messageid", "eventid"], &["messageId"]),
            Field::Type => ("type", &["type"], &["type"]),
            Field::UserId => ("user_id", &["userid", "user", "customerid", "customer", "clientid"], &["userId"]),
            Field::AnonymousId => {
                ("anonymous_id", &["anonymousid", "anonid", "visitorid", "deviceid"], &["anonymousId"])
            }
            Field::Event => ("event", &["event", "eventname", "eventtype", "action"], &["event"]),
            Field::Timestamp => (
                "timestamp",
                &["timestamp", "ts", "time", "eventtime", "datetime", "date", "originaltimestamp"],
                &["timestamp"],
            ),
            Field::ReceivedAt => ("received_at", &["receivedat"], &[]),
            Field::Touchpoint => ("touchpoint", &["touchpoint"], &["touchpoint"]),
            Field::Source => ("source", &["source", "utmsource"], &["context", CAMPAIGN, "source"]),
            Field::Medium => ("medium", &["medium", "utmmedium"], &["context", CAMPAIGN, "medium"]),
            Field::Campaign => ("campaign", &["campaign", "utmcampaign"], &["context", CAMPAIGN, "name"]),
            Field::Term => ("term", &["term", "utmterm"], &["context", CAMPAIGN, "term"]),
            Field::Content => ("content", &["content", "utmcontent"], &["context", CAMPAIGN, "content"]),
            Field::Referrer => ("referrer", &["referrer", "referer"], &["context", "page", "referrer"]),
            Field::Channel => ("channel", &["channelgroup"], &[]),
            Field::Revenue => ("revenue", &["revenue"], &["properties", "revenue"]),
            Field::Currency => ("currency", &["currency"], &["properties", "currency"]),
            Field::Properties => ("properties", &["properties", "props"], &["properties"]),
            Field::Traits => ("traits", &["traits"], &["traits"]),
            Field::PageUrl => ("page_url", &["pageurl", "url"], &["context", "page", "url"]),
            Field::PageTitle => ("page_title", &["pagetitle", "title"], &["context", "page", "title"]),
            Field::UserAgent => ("user_agent", &["useragent"], &["context", "userAgent"]),
            Field::Ip => ("ip", &["ip", "ipaddress"], &["context", "ip"]),
            Field::Country => ("country", &["country"], &["context", "location", "country"]),
            Field::City => ("city", &["city"], &["context", "location", "city"]),
            Field::Locale => ("locale", &["locale"], &["context", "locale"]),
        }
    }
}

fn field_list() -> String {
    Field::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
}

/// Event field → source column, as given on the command line (`--column user_id=uid`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    columns: Vec<(Field, String)>,
}

impl Mapping {
    /// Parses `FIELD=COLUMN` arguments; the error names the bad argument.
    pub fn parse(args: &[String]) -> Result<Mapping, IoError> {
        let mut mapping = Mapping::default();
        for arg in args {
            let bad = |reason: String| IoError::Mapping { arg: arg.clone(), reason };
            let (field, column) =
                arg.split_once('=').ok_or_else(|| bad("write FIELD=COLUMN, e.g. user_id=uid".into()))?;
            let field = Field::parse(field)
                .ok_or_else(|| bad(format!("'{}' is not an event field: use one of {}", field.trim(), field_list())))?;
            let column = column.trim();
            if column.is_empty() {
                return Err(bad("the column is empty: write FIELD=COLUMN".into()));
            }
            if mapping.get(field).is_some() {
                return Err(bad(format!("{} is mapped twice: keep one --column {}=…", field.name(), field.name())));
            }
            mapping.columns.push((field, column.to_string()));
        }
        Ok(mapping)
    }

    /// Adds or replaces one mapping.
    pub fn with(mut self, field: Field, column: impl Into<String>) -> Mapping {
        self.columns.retain(|(f, _)| *f != field);
        self.columns.push((field, column.into()));
        self
    }

    /// The column mapped to `field`, if any.
    pub fn get(&self, field: Field) -> Option<&str> {
        self.columns.iter().find(|(f, _)| *f == field).map(|(_, c)| c.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (Field, &str)> {
        self.columns.iter().map(|(f, c)| (*f, c.as_str()))
    }
}

/// Validated `--set FIELD=VALUE` defaults, indexed by field.
#[derive(Debug, Clone, Default)]
pub(crate) struct Defaults {
    values: Vec<Option<String>>,
}

impl Defaults {
    pub(crate) fn parse(pairs: &[(String, String)]) -> Result<Defaults, IoError> {
        let mut values = vec![None; FIELDS];
        for (k, v) in pairs {
            let field = Field::parse(k).ok_or_else(|| IoError::Default {
                arg: format!("{k}={v}"),
                reason: format!("'{k}' is not an event field: use one of {}", field_list()),
            })?;
            values[field.index()] = Some(v.clone());
        }
        Ok(Defaults { values })
    }

    pub(crate) fn get(&self, field: Field) -> Option<&str> {
        self.values.get(field.index()).and_then(|v| v.as_deref())
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (Field, &str)> {
        Field::ALL.into_iter().filter_map(|f| self.get(f).map(|v| (f, v)))
    }
}

/// Column index per field, and the columns that become properties.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub columns: [Option<usize>; FIELDS],
    pub properties: Vec<usize>,
}

impl Resolved {
    pub(crate) fn get(&self, field: Field) -> Option<usize> {
        self.columns[field.index()]
    }
}

/// What [`resolve`] needs to know besides the mapping.
pub(crate) struct Columns<'a> {
    pub path: &'a Path,
    pub names: &'a [String],
    /// Columns never turned into properties (e.g. `customer_id` of our own export).
    pub ignored: &'a [&'a str],
    /// Extra automatic aliases, e.g. `channel` → [`Field::Channel`] for our own export.
    pub extra_aliases: &'a [(Field, &'a str)],
}

pub(crate) fn normalise(name: &str) -> String {
    name.chars().filter(|c| !matches!(c, '_' | '-' | '.' | ' ')).flat_map(char::to_lowercase).collect()
}

/// Maps every field to a column and checks that the required ones (an actor, the event, the time) are there.
pub(crate) fn resolve(mapping: &Mapping, defaults: &Defaults, cols: &Columns<'_>) -> Result<Resolved, IoError> {
    let names = cols.names;
    let available = || names.join(", ");
    let mut columns = [None; FIELDS];
    let mut used = vec![false; names.len()];
    for (field, column) in mapping.iter() {
        let idx = names
            .iter()
            .position(|n| n == column)
            .or_else(|| names.iter().position(|n| n.eq_ignore_ascii_case(column)))
            .or_else(|| column.parse::<usize>().ok().filter(|i| *i < names.len()))
            .ok_or_else(|| IoError::MissingColumn {
                path: cols.path.to_path_buf(),
                field: field.name().into(),
                column: column.into(),
                available: available(),
            })?;
        columns[field.index()] = Some(idx);
        used[idx] = true;
    }
    let normalised: Vec<String> = names.iter().map(|n| normalise(n)).collect();
    for field in Field::ALL {
        if columns[field.index()].is_some() || mapping.get(field).is_some() {
            continue;
        }
        let extra = cols.extra_aliases.iter().filter(|(f, _)| *f == field).map(|(_, a)| *a);
        let found = field
            .aliases()
            .iter()
            .copied()
            .chain(extra)
            .find_map(|alias| normalised.iter().enumerate().position(|(i, n)| !used[i] && n == alias));
        if let Some(idx) = found {
            columns[field.index()] = Some(idx);
            used[idx] = true;
        }
    }
    let has = |f: Field| columns[f.index()].is_some() || defaults.get(f).is_some();
    let missing = |field: Field, hint: &str| IoError::MissingField {
        path: cols.path.to_path_buf(),
        field: field.name().into(),
        hint: hint.into(),
        available: available(),
    };
    if !has(Field::UserId) && !has(Field::AnonymousId) {
        return Err(missing(Field::UserId, " or --column anonymous_id=COLUMN"));
    }
    if !has(Field::Event) && !has(Field::Type) {
        return Err(missing(Field::Event, " or give one name to every row with --set event=NAME"));
    }
    if !has(Field::Timestamp) {
        return Err(missing(Field::Timestamp, ""));
    }
    let properties = (0..names.len()).filter(|i| !used[*i] && !cols.ignored.iter().any(|n| names[*i] == *n)).collect();
    Ok(Resolved { columns, properties })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn check(args: &[&str], header: &[&str], expect: Result<Vec<(Field, &str)>, &str>) {
        let header = names(header);
        let cols = Columns { path: Path::new("f.csv"), names: &header, ignored: &[], extra_aliases: &[] };
        let got = Mapping::parse(&names(args)).and_then(|m| resolve(&m, &Defaults::default(), &cols));
        match (got, expect) {
            (Ok(r), Ok(pairs)) => {
                for (field, col) in pairs {
                    assert_eq!(r.get(field).map(|i| header[i].as_str()), Some(col), "{field:?}");
                }
            }
            (Err(e), Err(text)) => assert!(e.to_string().contains(text), "{e}"),
            (got, expect) => panic!("{args:?} {header:?}: got {got:?}, expected {expect:?}"),
        }
    }

    #[test]
    fn maps_explicitly_and_by_alias() {
        check(
            &["event=behavior_type"],
            &["User_id", "item_id", "behavior_type", "timestamp"],
            Ok(vec![(Field::UserId, "User_id"), (Field::Event, "behavior_type"), (Field::Timestamp, "timestamp")]),
        );
        check(
            &[],
            &["event_time", "event_type", "price", "user_id"],
            Ok(vec![(Field::UserId, "user_id"), (Field::Event, "event_type"), (Field::Timestamp, "event_time")]),
        );
        check(&["user_id=1", "event=0", "timestamp=2"], &["a", "b", "c"], Ok(vec![(Field::UserId, "b")]));
        check(&["user_id=UID", "event=e", "timestamp=t"], &["uid", "e", "t"], Ok(vec![(Field::UserId, "uid")]));
    }

    #[test]
    fn explains_what_is_wrong() {
        check(&["colour=c"], &["a"], Err("'colour' is not an event field"));
        check(&["user_id"], &["a"], Err("write FIELD=COLUMN"));
        check(&["user_id=a", "user_id=b"], &["a"], Err("mapped twice"));
        check(&["user_id=nope"], &["a", "b"], Err("--column user_id=nope: there is no such column (columns: a, b)"));
        check(&[], &["a", "event", "ts"], Err("no column for user_id"));
        check(&[], &["uid", "ts", "userid"], Err("no column for event"));
        check(&[], &["uid", "event", "userid"], Err("no column for timestamp"));
    }

    #[test]
    fn unmapped_columns_become_properties() {
        let header = names(&["user_id", "event", "ts", "price", "customer_id"]);
        let cols = Columns { path: Path::new("f"), names: &header, ignored: &["customer_id"], extra_aliases: &[] };
        let r = resolve(&Mapping::default(), &Defaults::default(), &cols).unwrap();
        assert_eq!(r.properties, vec![3]);
    }
}
