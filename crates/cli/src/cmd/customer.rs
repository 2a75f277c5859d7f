//! `tropa customer ID`: one customer's journey as a readable timeline.

use std::path::Path;

use clap::Args;
use tropa_core::time::format_ts;
use tropa_engine::Engine;

use crate::lang::tr;
use crate::table::{print, print_json, Table};
use crate::{OutFormat, UserError};

#[derive(Args)]
pub struct CustomerArgs {
    /// An anonymous id or user id of the customer.
    id: String,
    #[arg(long, value_enum, default_value = "table")]
    format: OutFormat,
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() > n {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    } else {
        s.to_string()
    }
}

pub fn run(data: &Path, args: CustomerArgs) -> anyhow::Result<()> {
    let store = super::open_existing(data)?;
    let Some(c) = store.customer(args.id.trim())? else {
        return Err(UserError(format!(
            "{} '{}': {}",
            tr("no customer with id", "нет клиента с идентификатором"),
            args.id,
            tr(
                "give an anonymous id or user id that appears in the events",
                "укажите anonymous id или user id из событий"
            )
        ))
        .into());
    };
    if args.format == OutFormat::Json {
        return print_json(&c);
    }
    let mut out = format!(
        "{}: {}\n{}: {}\n{}: {}\n",
        tr("customer", "клиент"),
        c.customer,
        tr("ids", "идентификаторы"),
        c.actors.join(", "),
        tr("events", "событий"),
        c.events.len()
    );
    for m in &c.merges {
        out.push_str(&format!(
            "  {} {} ↔ {} ({} {}, {})\n",
            tr("linked", "связаны"),
            m.a,
            m.b,
            m.via,
            m.message_id,
            format_ts(m.at)
        ));
    }
    out.push('\n');
    let mut t = Table::new(&[
        tr("time (UTC)", "время (UTC)"),
        tr("event", "событие"),
        tr("touchpoint", "точка контакта"),
        tr("channel", "канал"),
        tr("source / campaign", "источник / кампания"),
        tr("revenue", "выручка"),
        tr("properties", "свойства"),
    ]);
    for e in &c.events {
        let src = [e.channel.source.as_str(), e.channel.campaign.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" / ");
        let rev = e.revenue.map(|r| format!("{r:.2} {}", e.currency).trim().to_string()).unwrap_or_default();
        let props = if e.properties == "{}" { String::new() } else { clip(&e.properties, 60) };
        t.row(vec![
            format_ts(e.timestamp)[..19].replace('T', " "),
            e.name.clone(),
            e.touchpoint.clone(),
            e.channel.group.clone(),
            src,
            rev,
            props,
        ]);
    }
    out.push_str(&t.render());
    print(&out)
}
