//! A list of customers: the customers a scope selects (traits, events done, first channel, stage …), how many
//! there are, and the first `limit` of them in scan order with their events, first and last event times and
//! revenue — the answer to "find the customers from Kazan who bought a tent".
//!
//! Definition: a customer is listed once, with the counts of the events the scope keeps (a `since`/`until`
//! range cuts the journey). `total` counts every selected customer, `rows` holds at most `limit`; which ones is
//! the scan's order of customers, the same on every run over the same data.

use crate::fold::JourneyFold;
use crate::journey::{Columns, Journey};
use crate::ActorId;

/// The fold; needs the revenue column ([`CustomerListFold::columns`]).
#[derive(Debug, Clone, Copy)]
pub struct CustomerListFold {
    pub limit: usize,
}

/// One listed customer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CustomerRow {
    pub customer: ActorId,
    pub events: u64,
    pub first_ts: i64,
    pub last_ts: i64,
    /// Sum of revenue where present.
    pub revenue: f64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerList {
    pub total: u64,
    pub rows: Vec<CustomerRow>,
}

impl CustomerListFold {
    pub fn columns() -> Columns {
        Columns::REVENUE
    }
}

impl JourneyFold for CustomerListFold {
    type Acc = CustomerList;

    fn init(&self) -> CustomerList {
        CustomerList::default()
    }

    fn fold(&self, acc: &mut CustomerList, j: &Journey<'_>) {
        if j.is_empty() {
            return;
        }
        acc.total += 1;
        if acc.rows.len() < self.limit {
            acc.rows.push(CustomerRow {
                customer: j.customer,
                events: j.len() as u64,
                first_ts: j.ts[0],
                last_ts: j.ts[j.len() - 1],
                revenue: j.revenue.iter().filter(|r| !r.is_nan()).sum(),
            });
        }
    }

    fn merge(&self, into: &mut CustomerList, other: CustomerList) {
        into.total += other.total;
        let room = self.limit.saturating_sub(into.rows.len());
        into.rows.extend(other.rows.into_iter().take(room));
    }
}
