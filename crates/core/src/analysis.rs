//! Analyses: each a [`crate::JourneyFold`] over one customer's journey with a mergeable partial result.

pub mod attribution;
pub mod customers;
pub mod experiment;
pub mod feedback;
pub mod filter;
pub mod funnel;
pub mod invalid;
pub mod lanes;
pub mod lifecycle;
pub mod matcher;
pub mod paths;
pub mod period;
pub mod quantile;
pub mod retention;
pub mod scope;
pub mod stages;
pub mod stats;
pub mod timeline;
pub mod window_funnel;
