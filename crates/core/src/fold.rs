//! The shape of every analysis: a fold over one customer's journey with a mergeable partial result.
//!
//! An engine splits customers into chunks, folds each chunk into its own accumulator (possibly on many threads)
//! and merges the accumulators **in chunk order**. A correct fold gives the same answer for any split:
//! `merge` must be associative, and folding a customer must not depend on other customers.

use crate::journey::Journey;

/// An analysis written as a fold over journeys.
pub trait JourneyFold: Sync {
    /// The partial result of a set of customers.
    type Acc: Send + 'static;
    /// The empty partial result.
    fn init(&self) -> Self::Acc;
    /// Adds one customer's journey.
    fn fold(&self, acc: &mut Self::Acc, journey: &Journey<'_>);
    /// Adds `other` (customers that come after those of `into`) to `into`.
    fn merge(&self, into: &mut Self::Acc, other: Self::Acc);
}

/// The trivial fold: counts customers and events (the scan benchmark's fold).
#[derive(Debug, Clone, Copy, Default)]
pub struct CountFold;

/// Customers and events seen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub customers: u64,
    pub events: u64,
}

impl JourneyFold for CountFold {
    type Acc = Counts;

    fn init(&self) -> Counts {
        Counts::default()
    }

    fn fold(&self, acc: &mut Counts, journey: &Journey<'_>) {
        acc.customers += 1;
        acc.events += journey.len() as u64;
    }

    fn merge(&self, into: &mut Counts, other: Counts) {
        into.customers += other.customers;
        into.events += other.events;
    }
}
