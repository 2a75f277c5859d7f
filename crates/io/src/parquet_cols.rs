//! Arrow columns of any supported type seen as [`Cell`]s: strings (utf8, large utf8, utf8 view, dictionary),
//! integers, floats, decimals, booleans, timestamps of any unit, dates.

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, BooleanArray, LargeStringArray, StringArray, StringViewArray};
use arrow_schema::{DataType, TimeUnit};

use crate::row::Cell;

const DAY_MS: i64 = 86_400_000;

/// Whether a column of this type can be read.
pub(crate) fn supported(dt: &DataType) -> bool {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Boolean => true,
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => true,
        DataType::UInt8 | DataType::UInt16 | DataType::UInt32 | DataType::UInt64 => true,
        DataType::Float32 | DataType::Float64 | DataType::Decimal128(_, _) => true,
        DataType::Timestamp(_, _) | DataType::Date32 | DataType::Date64 => true,
        DataType::Dictionary(_, v) => supported(v) && !matches!(**v, DataType::Dictionary(_, _)),
        _ => false,
    }
}

/// One column of a record batch.
pub(crate) enum Col<'a> {
    Utf8(&'a StringArray),
    LargeUtf8(&'a LargeStringArray),
    View(&'a StringViewArray),
    Dict {
        keys: Vec<usize>,
        src: &'a dyn Array,
        values: Box<Col<'a>>,
    },
    Int(Vec<i64>, &'a dyn Array),
    Float(Vec<f64>, &'a dyn Array),
    Bool(&'a BooleanArray),
    /// Epoch milliseconds.
    Time(Vec<i64>, &'a dyn Array),
    Skip,
}

fn prim<T: ArrowPrimitiveType>(a: &dyn Array, f: impl Fn(T::Native) -> i64) -> (Vec<i64>, &dyn Array) {
    (a.as_primitive::<T>().values().iter().map(|v| f(*v)).collect(), a)
}

fn float<T: ArrowPrimitiveType>(a: &dyn Array, f: impl Fn(T::Native) -> f64) -> (Vec<f64>, &dyn Array) {
    (a.as_primitive::<T>().values().iter().map(|v| f(*v)).collect(), a)
}

impl<'a> Col<'a> {
    pub(crate) fn new(a: &'a ArrayRef) -> Col<'a> {
        Col::of(a.as_ref())
    }

    fn of(a: &'a dyn Array) -> Col<'a> {
        let int = |(v, n)| Col::Int(v, n);
        let time = |(v, n)| Col::Time(v, n);
        match a.data_type() {
            DataType::Utf8 => Col::Utf8(a.as_string::<i32>()),
            DataType::LargeUtf8 => Col::LargeUtf8(a.as_string::<i64>()),
            DataType::Utf8View => Col::View(a.as_string_view()),
            DataType::Boolean => Col::Bool(a.as_boolean()),
            DataType::Int8 => int(prim::<Int8Type>(a, i64::from)),
            DataType::Int16 => int(prim::<Int16Type>(a, i64::from)),
            DataType::Int32 => int(prim::<Int32Type>(a, i64::from)),
            DataType::Int64 => int(prim::<Int64Type>(a, |v| v)),
            DataType::UInt8 => int(prim::<UInt8Type>(a, i64::from)),
            DataType::UInt16 => int(prim::<UInt16Type>(a, i64::from)),
            DataType::UInt32 => int(prim::<UInt32Type>(a, i64::from)),
            DataType::UInt64 => int(prim::<UInt64Type>(a, |v| i64::try_from(v).unwrap_or(i64::MAX))),
            DataType::Float32 => {
                let (v, n) = float::<Float32Type>(a, f64::from);
                Col::Float(v, n)
            }
            DataType::Float64 => {
                let (v, n) = float::<Float64Type>(a, |v| v);
                Col::Float(v, n)
            }
            DataType::Decimal128(_, scale) => {
                let div = 10f64.powi(i32::from(*scale));
                let (v, n) = float::<Decimal128Type>(a, |v| v as f64 / div);
                Col::Float(v, n)
            }
            DataType::Timestamp(TimeUnit::Second, _) => {
                time(prim::<TimestampSecondType>(a, |v| v.saturating_mul(1000)))
            }
            DataType::Timestamp(TimeUnit::Millisecond, _) => time(prim::<TimestampMillisecondType>(a, |v| v)),
            DataType::Timestamp(TimeUnit::Microsecond, _) => {
                time(prim::<TimestampMicrosecondType>(a, |v| v.div_euclid(1000)))
            }
            DataType::Timestamp(TimeUnit::Nanosecond, _) => {
                time(prim::<TimestampNanosecondType>(a, |v| v.div_euclid(1_000_000)))
            }
            DataType::Date32 => time(prim::<Date32Type>(a, |d| i64::from(d) * DAY_MS)),
            DataType::Date64 => time(prim::<Date64Type>(a, |v| v)),
            DataType::Dictionary(_, _) => match a.as_any_dictionary_opt() {
                Some(d) => {
                    Col::Dict { keys: d.normalized_keys(), src: a, values: Box::new(Col::of(d.values().as_ref())) }
                }
                None => Col::Skip,
            },
            _ => Col::Skip,
        }
    }

    pub(crate) fn cell(&self, i: usize) -> Cell<'a> {
        let null = |a: &&'a dyn Array| a.is_null(i);
        match self {
            Col::Utf8(a) if a.is_valid(i) => Cell::Str(a.value(i)),
            Col::LargeUtf8(a) if a.is_valid(i) => Cell::Str(a.value(i)),
            Col::View(a) if a.is_valid(i) => Cell::Str(a.value(i)),
            Col::Bool(a) if a.is_valid(i) => Cell::Bool(a.value(i)),
            Col::Dict { keys, src, values } if !null(src) => keys.get(i).map_or(Cell::Null, |k| values.cell(*k)),
            Col::Int(v, n) if !null(n) => v.get(i).map_or(Cell::Null, |v| Cell::Int(*v)),
            Col::Float(v, n) if !null(n) => v.get(i).map_or(Cell::Null, |v| Cell::Float(*v)),
            Col::Time(v, n) if !null(n) => v.get(i).map_or(Cell::Null, |v| Cell::TimeMs(*v)),
            _ => Cell::Null,
        }
    }
}
