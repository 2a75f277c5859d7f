//! Ad spend on the query API: `GET /api/v1/costs?from=YYYY-MM-DD&to=YYYY-MM-DD` (a read key, or a signed-in
//! member) lists the project's spend; `POST /api/v1/costs?source=yandex&medium=cpc&add_vat=20&rate=USD=92.5` with
//! a cost file as the body (CSV/TSV, the shapes of `tropa costs import`) and a **write** key imports it,
//! replacing the days it covers. A file with any problem imports nothing: 400 with every problem (line, column,
//! reason) in `rejected` (`index` is the 1-based line).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use tropa_app::audit::Who;
use tropa_app::costs::CostImportSummary;
use tropa_core::analysis::attribution::costs::{CostImport, CostRow};

use super::{blocking, project_engine};
use crate::error::{ApiError, Code, Rejected};
use crate::{auth, AppState};

fn params(q: &Option<String>) -> Vec<(String, String)> {
    q.as_deref()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), decode(v)))
        .collect()
}

/// A query value: `+` is a space, `%XX` a byte.
fn decode(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(x) => {
                        out.push(x);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub async fn get(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Vec<CostRow>>, ApiError> {
    let (project, _) = project_engine(&s, &headers, &q)?;
    let p = params(&q);
    let at = |k: &str| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (from, to) = (at("from"), at("to"));
    blocking(move || {
        tropa_app::costs::rows(&s.meta, &project, from.as_deref(), to.as_deref())
            .map(Json)
            .map_err(|e| ApiError::internal("costs", &e))
    })
    .await
}

pub async fn post(
    State(s): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<CostImportSummary>, ApiError> {
    let Some(key) = auth::presented_key(&headers)? else {
        return Err(ApiError::new(Code::MissingKey, "no write key: send Authorization: Bearer tw_…"));
    };
    let info = auth::check(&s, &key, tropa_meta::KeyKind::Write)?;
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::field(Code::InvalidQuery, "body", "the cost file must be UTF-8 text"))?;
    let p = params(&q);
    let at = |k: &str| p.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut rates = Vec::new();
    for (_, r) in p.iter().filter(|(n, _)| n == "rate") {
        match r.split_once('=').map(|(c, v)| (c.trim().to_uppercase(), v.trim().parse::<f64>())) {
            Some((c, Ok(v))) if c.len() == 3 && v > 0.0 => rates.push((c, v)),
            _ => {
                return Err(ApiError::field(Code::InvalidQuery, "rate", format!("'{r}': use CUR=RATE, e.g. USD=92.5")))
            }
        }
    }
    let add_vat = match at("add_vat") {
        None => None,
        Some(v) => match v.parse::<f64>() {
            Ok(x) if (0.0..=100.0).contains(&x) => Some(x),
            _ => return Err(ApiError::field(Code::InvalidQuery, "add_vat", "use a percent from 0 to 100")),
        },
    };
    let project = info.project.clone();
    let (source, medium, file_currency) = (at("source"), at("medium"), at("currency"));
    blocking(move || {
        let settings = s.meta.project_settings(&project).map_err(|e| ApiError::internal("settings", &e))?;
        let currency = settings.map(|x| x.currency).unwrap_or_else(|| "RUB".into());
        let opts = CostImport { currency, rates, add_vat, source, medium, file_currency };
        match tropa_app::costs::import(&s.meta, &project, &text, &opts, &Who::system(), tropa_app::now_ms()) {
            Ok(Ok(summary)) => Ok(Json(summary)),
            Ok(Err(problems)) => {
                let lang = tropa_core::lang::Lang::En;
                let mut e = ApiError::field(
                    Code::InvalidQuery,
                    "body",
                    format!("the cost file was not imported: {} problem(s)", problems.len()),
                );
                e.rejected = problems
                    .iter()
                    .map(|p| Rejected {
                        index: p.line,
                        code: Code::InvalidQuery,
                        field: p.column.name().to_string(),
                        message: p.words(lang),
                    })
                    .collect();
                Err(e)
            }
            Err(e) => Err(ApiError::internal("costs import", &e)),
        }
    })
    .await
}
