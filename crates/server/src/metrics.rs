//! Counters of the server, served as Prometheus text at `/metrics`: requests by route and status, events
//! accepted / duplicate / rejected, the latency of durable commits (the write-ahead log's fsync and the group
//! commit around it), and the depth of the ingest queue.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Upper bounds (seconds) of the commit latency histogram.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 5.0];

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    pub events_accepted: AtomicU64,
    pub events_duplicate: AtomicU64,
    pub events_rejected: AtomicU64,
    pub overloaded: AtomicU64,
    pub queue_requests: AtomicU64,
    pub queue_bytes: AtomicU64,
    commit_buckets: [AtomicU64; BUCKETS.len()],
    commit_count: AtomicU64,
    commit_micros: AtomicU64,
}

impl Metrics {
    pub fn request(&self, route: &'static str, status: u16) {
        let mut m = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        *m.entry((route, status)).or_default() += 1;
    }

    pub fn commit(&self, seconds: f64) {
        for (b, bound) in self.commit_buckets.iter().zip(BUCKETS) {
            if seconds <= bound {
                b.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.commit_count.fetch_add(1, Ordering::Relaxed);
        self.commit_micros.fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        out.push_str("# HELP tropa_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE tropa_http_requests_total counter\n");
        for ((route, status), n) in self.requests.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            let _ = writeln!(out, "tropa_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}");
        }
        let counters = [
            ("tropa_events_accepted_total", "Events stored durably.", &self.events_accepted),
            ("tropa_events_duplicate_total", "Events whose message id was already stored.", &self.events_duplicate),
            ("tropa_events_rejected_total", "Messages rejected as malformed.", &self.events_rejected),
            ("tropa_overload_rejections_total", "Requests answered 429 because the queue was full.", &self.overloaded),
        ];
        for (name, help, v) in counters {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}", get(v));
        }
        let gauges = [
            ("tropa_ingest_queue_requests", "Ingest requests waiting for the write-ahead log.", &self.queue_requests),
            ("tropa_ingest_queue_bytes", "Request bytes held by waiting ingest requests.", &self.queue_bytes),
        ];
        for (name, help, v) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {}", get(v));
        }
        let name = "tropa_wal_commit_seconds";
        let _ = writeln!(out, "# HELP {name} Time from handing a batch to the engine until it is fsynced.");
        let _ = writeln!(out, "# TYPE {name} histogram");
        for (b, bound) in self.commit_buckets.iter().zip(BUCKETS) {
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {}", get(b));
        }
        let count = get(&self.commit_count);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _ = writeln!(out, "{name}_sum {}", get(&self.commit_micros) as f64 / 1e6);
        let _ = writeln!(out, "{name}_count {count}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let m = Metrics::default();
        m.commit(0.0007);
        m.commit(0.03);
        m.request("/v1/batch", 200);
        m.request("/v1/batch", 200);
        let text = m.render();
        assert!(text.contains("tropa_wal_commit_seconds_bucket{le=\"0.0005\"} 0"), "{text}");
        assert!(text.contains("tropa_wal_commit_seconds_bucket{le=\"0.001\"} 1"));
        assert!(text.contains("tropa_wal_commit_seconds_bucket{le=\"0.05\"} 2"));
        assert!(text.contains("tropa_wal_commit_seconds_count 2"));
        assert!(text.contains("tropa_http_requests_total{route=\"/v1/batch\",status=\"200\"} 2"));
    }
}
