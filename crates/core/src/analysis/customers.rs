//! A list of customers: the customers a scope selects (traits, events done, first channel, stage …), how many
//! there are, and the first `limit` of them in scan order with their events, first and last event times and
//! revenue — the answer to "find the customers from Kazan who bought a tent".
//!
//! Definition: a customer is listed once, with the counts of the events the scope keeps (a `since`/`until`
//! range cuts the journey). `total` counts every selected customer, `rows` holds at most `limit`; which ones is
//! the scan's order of customers, the same on every run over the same data.
//!
//! [`TopCustomersFold`]: the customers seen most recently and the most valuable (revenue), for the customers page.

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

/// The customers seen most recently (latest last event first) and the most valuable (largest revenue first), at
/// most `limit` of each; ties go to the smaller customer id, so the lists do not depend on the scan's order.
#[derive(Debug, Clone, Copy)]
pub struct TopCustomersFold {
    pub limit: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TopCustomers {
    pub recent: Vec<CustomerRow>,
    /// Only customers with a positive revenue.
    pub valuable: Vec<CustomerRow>,
}

impl TopCustomersFold {
    fn keep(&self, acc: &mut TopCustomers) {
        acc.recent.sort_by(|a, b| b.last_ts.cmp(&a.last_ts).then(a.customer.0.cmp(&b.customer.0)));
        acc.recent.truncate(self.limit);
        acc.valuable.sort_by(|a, b| b.revenue.total_cmp(&a.revenue).then(a.customer.0.cmp(&b.customer.0)));
        acc.valuable.truncate(self.limit);
    }
}

impl JourneyFold for TopCustomersFold {
    type Acc = TopCustomers;

    fn init(&self) -> TopCustomers {
        TopCustomers::default()
    }

    fn fold(&self, acc: &mut TopCustomers, j: &Journey<'_>) {
        if j.is_empty() || self.limit == 0 {
            return;
        }
        let row = CustomerRow {
            customer: j.customer,
            events: j.len() as u64,
            first_ts: j.ts[0],
            last_ts: j.ts[j.len() - 1],
            revenue: j.revenue.iter().filter(|r| !r.is_nan()).sum(),
        };
        acc.recent.push(row);
        if row.revenue > 0.0 {
            acc.valuable.push(row);
        }
        if acc.recent.len() >= 4 * self.limit || acc.valuable.len() >= 4 * self.limit {
            self.keep(acc);
        }
    }

    fn merge(&self, into: &mut TopCustomers, other: TopCustomers) {
        into.recent.extend(other.recent);
        into.valuable.extend(other.valuable);
        self.keep(into);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;
    use crate::journey::{EventAccess, RowRef, TextCol};

    struct NoAccess;

    impl EventAccess for NoAccess {
        fn event(&self, _: RowRef) -> Event {
            Event::default()
        }
        fn text(&self, _: TextCol, _: RowRef) -> &str {
            ""
        }
    }

    fn journey_of(f: &TopCustomersFold, acc: &mut TopCustomers, id: u32, ts: &[i64], revenue: &[f64]) {
        let names = vec![0u16; ts.len()];
        let j = Journey {
            customer: ActorId(id),
            ts,
            name: &names,
            dict: Default::default(),
            revenue,
            kind: &[],
            rows: &[],
            access: &NoAccess,
        };
        f.fold(acc, &j);
    }

    #[test]
    fn the_latest_and_the_largest_whatever_the_partition() {
        let f = TopCustomersFold { limit: 2 };
        let data: [(u32, &[i64], &[f64]); 5] = [
            (1, &[10, 50], &[f64::NAN, 100.0]),
            (2, &[20], &[f64::NAN]),
            (3, &[5, 70], &[300.0, -50.0]),
            (4, &[60], &[20.0]),
            (5, &[70], &[f64::NAN]),
        ];
        let mut whole = f.init();
        for (id, ts, r) in data {
            journey_of(&f, &mut whole, id, ts, r);
        }
        f.merge(&mut whole, TopCustomers::default());
        let (mut a, mut b) = (f.init(), f.init());
        for (i, (id, ts, r)) in data.into_iter().enumerate() {
            journey_of(&f, if i % 2 == 0 { &mut a } else { &mut b }, id, ts, r);
        }
        f.merge(&mut b, a);
        assert_eq!(whole, b);
        let ids = |v: &[CustomerRow]| v.iter().map(|r| r.customer.0).collect::<Vec<_>>();
        assert_eq!(ids(&whole.recent), [3, 5], "ties on the last event go to the smaller id");
        assert_eq!(ids(&whole.valuable), [3, 1]);
        assert_eq!(whole.valuable[0].revenue, 250.0);
    }
}
