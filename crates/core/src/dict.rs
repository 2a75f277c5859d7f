//! Append-only dictionaries: low-cardinality string columns are stored as small integer codes.
//!
//! A code, once given, never changes meaning, so a fold can resolve names to codes before a scan and
//! compare integers while it runs. Code 0 of every dictionary is the empty string ("absent").

use rustc_hash::FxHashMap;

use crate::error::CoreError;

/// The dictionary-coded columns of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DictCol {
    Name = 0,
    Touchpoint = 1,
    Source = 2,
    Medium = 3,
    Campaign = 4,
    Term = 5,
    Content = 6,
    Channel = 7,
    Currency = 8,
    Country = 9,
    City = 10,
}

impl DictCol {
    pub const COUNT: usize = 11;
    pub const ALL: [DictCol; DictCol::COUNT] = [
        DictCol::Name,
        DictCol::Touchpoint,
        DictCol::Source,
        DictCol::Medium,
        DictCol::Campaign,
        DictCol::Term,
        DictCol::Content,
        DictCol::Channel,
        DictCol::Currency,
        DictCol::Country,
        DictCol::City,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DictCol::Name => "event",
            DictCol::Touchpoint => "touchpoint",
            DictCol::Source => "source",
            DictCol::Medium => "medium",
            DictCol::Campaign => "campaign",
            DictCol::Term => "term",
            DictCol::Content => "content",
            DictCol::Channel => "channel",
            DictCol::Currency => "currency",
            DictCol::Country => "country",
            DictCol::City => "city",
        }
    }

    /// Largest number of distinct values: event names are `u16` codes, the rest `u32`.
    pub fn limit(self) -> usize {
        match self {
            DictCol::Name => u16::MAX as usize,
            _ => u32::MAX as usize,
        }
    }
}

/// One append-only dictionary.
#[derive(Debug, Clone, Default)]
pub struct Dict {
    values: Vec<String>,
    index: FxHashMap<String, u32>,
    /// The code returned last: consecutive events mostly repeat a value.
    last: u32,
}

impl Dict {
    pub fn new() -> Self {
        let mut d = Dict::default();
        d.values.push(String::new());
        d.index.insert(String::new(), 0);
        d
    }

    /// Rebuilds a dictionary from its values in code order (value 0 must be "").
    pub fn from_values(values: Vec<String>) -> Self {
        let mut d = Dict::new();
        for v in values.into_iter().skip(1) {
            let code = d.values.len() as u32;
            d.index.insert(v.clone(), code);
            d.values.push(v);
        }
        d
    }

    pub fn code(&self, value: &str) -> Option<u32> {
        self.index.get(value).copied()
    }

    /// The code of `value`, adding it if new.
    pub fn intern(&mut self, col: DictCol, value: &str) -> Result<u32, CoreError> {
        if value.is_empty() {
            return Ok(0);
        }
        if self.values.get(self.last as usize).is_some_and(|v| v == value) {
            return Ok(self.last);
        }
        if let Some(&c) = self.index.get(value) {
            self.last = c;
            return Ok(c);
        }
        if self.values.len() >= col.limit() {
            return Err(CoreError::DictionaryFull { column: col.as_str(), limit: col.limit() });
        }
        let code = self.values.len() as u32;
        self.values.push(value.to_string());
        self.index.insert(value.to_string(), code);
        self.last = code;
        Ok(code)
    }

    pub fn value(&self, code: u32) -> &str {
        self.values.get(code as usize).map(String::as_str).unwrap_or("")
    }

    pub fn values(&self) -> &[String] {
        &self.values
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.len() <= 1
    }
}

/// All dictionaries of a store.
#[derive(Debug, Clone)]
pub struct Dictionaries {
    dicts: Vec<Dict>,
}

impl Default for Dictionaries {
    fn default() -> Self {
        Dictionaries { dicts: (0..DictCol::COUNT).map(|_| Dict::new()).collect() }
    }
}

impl Dictionaries {
    pub fn get(&self, col: DictCol) -> &Dict {
        &self.dicts[col as usize]
    }

    pub fn get_mut(&mut self, col: DictCol) -> &mut Dict {
        &mut self.dicts[col as usize]
    }

    pub fn intern(&mut self, col: DictCol, value: &str) -> Result<u32, CoreError> {
        self.dicts[col as usize].intern(col, value)
    }

    /// The code of an event name, if the name was ever seen.
    pub fn name_code(&self, name: &str) -> Option<u16> {
        self.get(DictCol::Name).code(name).map(|c| c as u16)
    }

    pub fn name(&self, code: u16) -> &str {
        self.get(DictCol::Name).value(code as u32)
    }
}
