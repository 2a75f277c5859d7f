//! `tropa demo generate`: realistic journeys of an online store from `tropa-synth`, generated in parallel and
//! filed straight into parts (bounded memory: one chunk being written, one being generated).
//! `tropa demo`: fills an empty folder with demo data and shows what to try next. The demo speaks the CLI's
//! language (`TROPA_LANG`/`LANG`): its admin's interface, the personas and the map it opens on are in it; the
//! store's map is also created in the other language, so a reader who switches the interface finds its twin.
//! Its data ends on the day it is generated.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

use clap::{Args, Subcommand};
use rayon::prelude::*;
use tropa_app::audit::{Action, Done};
use tropa_engine::Engine;
use tropa_meta::KeyKind;
use tropa_synth::SynthConfig;

use crate::lang::tr;
use crate::table::{int, print, print_json};
use crate::{OutFormat, UserError};

#[derive(Args)]
pub struct DemoArgs {
    #[command(subcommand)]
    cmd: Option<DemoCmd>,
    /// Print what to try and exit instead of serving.
    #[arg(long)]
    no_serve: bool,
    #[command(flatten)]
    serve: super::serve::ServeArgs,
}

/// The demo's well-known keys (printed by `tropa demo`; revoke them with `tropa key revoke` before exposing the
/// server to anyone).
pub const DEMO_WRITE_KEY: &str = "tw_demo_write_key";
pub const DEMO_READ_KEY: &str = "tr_demo_read_key";
/// The demo's administrator of the web app.
pub const DEMO_EMAIL: &str = "demo@tropa.local";
pub const DEMO_PASSWORD: &str = "tropa-demo-password";

#[derive(Subcommand)]
enum DemoCmd {
    /// Generate demo journeys into the data folder (which must hold no events yet).
    Generate(GenerateArgs),
}

#[derive(Args)]
pub struct GenerateArgs {
    /// Number of customers (about 10 events each).
    #[arg(long, default_value_t = 20_000)]
    customers: u64,
    /// Random seed: the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Customers generated per round (memory grows with it).
    #[arg(long, default_value_t = 64_000)]
    chunk: u64,
    #[arg(long, value_enum, default_value = "table")]
    output: OutFormat,
}

/// Generates `cfg` into the store; returns (events, seconds).
pub fn generate(store: &tropa_store::Store, cfg: &SynthConfig, chunk: u64, show: bool) -> anyhow::Result<(u64, f64)> {
    let started = Instant::now();
    let bar = (show && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(cfg.customers);
        if let Ok(s) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}") {
            b.set_style(s);
        }
        b
    });
    // two pools of reusable buffers: one is filed into the store while the next customers are generated into
    // the other, so memory stays flat and no page is allocated twice
    let step = 1_000u64;
    let per_round = (chunk / step).max(1) as usize;
    let round = per_round as u64 * step;
    let fill = |pool: &mut Vec<Vec<tropa_core::Event>>, lo: u64| {
        pool.par_iter_mut().enumerate().for_each(|(i, buf)| {
            let a = lo + i as u64 * step;
            if a < cfg.customers {
                tropa_synth::refill(cfg, a..(a + step).min(cfg.customers), buf);
            } else {
                buf.clear();
            }
        });
    };
    let mut current: Vec<Vec<tropa_core::Event>> = vec![Vec::new(); per_round];
    let mut next: Vec<Vec<tropa_core::Event>> = vec![Vec::new(); per_round];
    let mut events_total = 0u64;
    let mut lo = 0u64;
    fill(&mut current, 0);
    while lo < cfg.customers {
        let next_lo = lo + round;
        let (written, ()) = rayon::join(
            || -> anyhow::Result<u64> {
                let mut n = 0;
                for buf in current.iter().filter(|b| !b.is_empty()) {
                    n += store.append_sorted(buf)?.accepted;
                }
                Ok(n)
            },
            || {
                if next_lo < cfg.customers {
                    fill(&mut next, next_lo);
                }
            },
        );
        events_total += written?;
        std::mem::swap(&mut current, &mut next);
        lo = next_lo;
        if let Some(b) = &bar {
            b.set_position(lo.min(cfg.customers));
            b.set_message(format!("{} {}", int(events_total), tr("events", "событий")));
        }
    }
    store.flush()?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok((events_total, started.elapsed().as_secs_f64()))
}

/// The demo's data set: the default one, moved so that its period ends at the start of today (UTC), the day it
/// is generated.
pub fn ending_today(now_ms: i64) -> SynthConfig {
    const DAY: i64 = 86_400_000;
    let d = SynthConfig::default();
    SynthConfig { start_ms: now_ms.div_euclid(DAY) * DAY - i64::from(d.days) * DAY, ..d }
}

pub fn run(data: &Path, args: DemoArgs) -> anyhow::Result<()> {
    match args.cmd {
        Some(DemoCmd::Generate(g)) => {
            if g.chunk == 0 {
                return Err(
                    UserError(format!("--chunk: {}", tr("must be at least 1", "должен быть не меньше 1"))).into()
                );
            }
            let store = super::open(data)?;
            if store.summary()?.events > 0 {
                return Err(UserError(format!(
                    "{} '{}' {}",
                    tr("the folder", "папка"),
                    data.display(),
                    tr(
                        "already holds events: generate into an empty --data folder",
                        "уже содержит события: укажите пустую папку --data"
                    )
                ))
                .into());
            }
            let cfg = SynthConfig { customers: g.customers, seed: g.seed, ..SynthConfig::default() };
            let (events, secs) = generate(&store, &cfg, g.chunk, true)?;
            if g.output == OutFormat::Json {
                return print_json(
                    &serde_json::json!({"customers": g.customers, "events": events, "seconds": secs, "events_per_second": events as f64 / secs.max(1e-9)}),
                );
            }
            print(&format!(
                "{} {} {} {} {} ({:.1} s, {:.0} {}/s)\n",
                tr("generated", "создано"),
                int(events),
                tr("events of", "событий"),
                int(g.customers),
                tr("customers", "клиентов"),
                secs,
                events as f64 / secs.max(1e-9),
                tr("events", "событий")
            ))
        }
        None => {
            let meta = tropa_app::layout::open_meta(data)?;
            for (kind, secret) in [(KeyKind::Write, DEMO_WRITE_KEY), (KeyKind::Read, DEMO_READ_KEY)] {
                if meta.authenticate(secret)?.is_none() {
                    let k =
                        meta.insert_key(tropa_app::layout::DEFAULT_PROJECT, kind, "demo", secret, tropa_app::now_ms())?;
                    super::audit::record(&meta, Done::new(Action::KeyCreate, Some(&k.info.project), &k.info.hint))?;
                }
            }
            let lang = crate::lang::lang();
            if meta.user(DEMO_EMAIL)?.is_none() {
                let user = meta.create_user(DEMO_EMAIL, tropa_meta::Role::Admin, DEMO_PASSWORD, tropa_app::now_ms())?;
                meta.set_lang(user.id, lang.code())?;
                super::audit::record(&meta, Done::new(Action::UserCreate, None, DEMO_EMAIL))?;
            }
            // the demo opens on a filled journey map of the online store in its language, made first with the
            // personas (shared by key, so they stay in the demo's language); the twin in the other language after it
            let map_id = match meta.maps(tropa_app::layout::DEFAULT_PROJECT)?.last() {
                Some(m) => m.id,
                None => {
                    let other = if lang == tropa_core::lang::Lang::Ru {
                        tropa_core::lang::Lang::En
                    } else {
                        tropa_core::lang::Lang::Ru
                    };
                    let mut ids = Vec::new();
                    for l in [lang, other] {
                        ids.push(
                            tropa_app::maps::create_from_template(
                                &meta,
                                tropa_app::layout::DEFAULT_PROJECT,
                                ("online_store", l),
                                None,
                                tropa_app::maps::Author { user: None, now: tropa_app::now_ms() },
                            )
                            .map_err(super::app_error)?,
                        );
                    }
                    ids[0]
                }
            };
            // and a first dashboard of pinned charts
            if meta.dashboards(tropa_app::layout::DEFAULT_PROJECT)?.is_empty() {
                let lang = crate::lang::lang();
                tropa_app::dashboards::starter(
                    &meta,
                    &super::audit::who(),
                    tropa_app::layout::DEFAULT_PROJECT,
                    Some(map_id),
                    lang,
                    tropa_app::now_ms(),
                )
                .map_err(super::app_error)?;
            }
            // and the two planted experiments (A/B tests) defined, as a team would before starting them
            tropa_app::experiments::starter(
                &meta,
                &super::audit::who(),
                tropa_app::layout::DEFAULT_PROJECT,
                crate::lang::lang(),
                tropa_app::now_ms(),
            )
            .map_err(super::app_error)?;
            drop(meta);
            let store = super::open(data)?;
            let mut summary = store.summary()?;
            if summary.events == 0 {
                eprintln!("{} {}…", tr("generating demo data into", "создаю демо-данные в"), data.display());
                let cfg = ending_today(tropa_app::now_ms());
                generate(&store, &cfg, 64_000, true)?;
                summary = store.summary()?;
                demo_spend(data, &cfg)?;
            }
            print(&format!(
                "{}: {} {}, {} {}\n\n{}\n  tropa --data {d} stats\n  tropa --data {d} customer {id}\n  tropa --data {d} funnel --step view_item --step add_to_cart --step begin_checkout --step purchase --breakdown first_channel\n  tropa --data {d} paths --to purchase --depth 4 --collapse\n  tropa --data {d} stages\n  tropa --data {d} retention --start purchase --return purchase --period month --periods 4\n  tropa --data {d} export events.parquet\n",
                tr("demo data", "демо-данные"),
                int(summary.customers),
                tr("customers", "клиентов"),
                int(summary.events),
                tr("events", "событий"),
                tr("try:", "попробуйте:"),
                d = data.display(),
                id = store.actor_names(&[tropa_core::ActorId(0)])?.pop().unwrap_or_default(),
            ))?;
            drop(store);
            if args.no_serve {
                return Ok(());
            }
            super::serve::serve(data, &args.serve, |url| {
                println!(
                    "\n{} {url}/maps/{map_id}\n  {}: {DEMO_EMAIL} / {DEMO_PASSWORD}\n  {}: {DEMO_WRITE_KEY}\n  {}: {DEMO_READ_KEY}\n  curl -u {DEMO_WRITE_KEY}: -H 'Content-Type: application/json' {url}/v1/track -d '{{\"event\":\"signup\",\"userId\":\"u1\"}}'\n  curl -H 'Authorization: Bearer {DEMO_READ_KEY}' {url}/api/v1/stats\n",
                    tr("serving the demo at", "демо работает по адресу"),
                    tr("sign in", "вход"),
                    tr("write key", "ключ записи"),
                    tr("read key", "ключ чтения"),
                );
            })
        }
    }
}

/// The demo shop's ad spend (its paid visits at each platform's price, see [`tropa_synth::ad_spend`]) stored as
/// the default project's costs, for the attribution page's spend, ROAS and CPA.
fn demo_spend(data: &Path, cfg: &SynthConfig) -> anyhow::Result<()> {
    let meta = tropa_app::layout::open_meta(data)?;
    let rows: Vec<tropa_meta::StoredCost> = tropa_synth::ad_spend(cfg)
        .into_iter()
        .map(|s| tropa_meta::StoredCost {
            day: s.day,
            source: s.source.into(),
            medium: s.medium.into(),
            campaign: s.campaign,
            channel: String::new(),
            cost_micros: (s.cost * 1e6).round() as i64,
            currency: "RUB".into(),
        })
        .collect();
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        let (from, to) = (first.day.clone(), last.day.clone());
        meta.replace_costs(tropa_app::layout::DEFAULT_PROJECT, &from, &to, &rows)?;
    }
    Ok(())
}
