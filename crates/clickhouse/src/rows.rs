//! Rows as they travel in RowBinary, and their conversion from and to [`Event`].

use clickhouse::Row;
use serde::{Deserialize, Serialize};
use tropa_core::event::{Channel, Context};
use tropa_core::{Event, MessageKind};

/// One row of `events` (every column, table order).
#[derive(Debug, Clone, Row, Serialize, Deserialize)]
pub struct EventRow {
    pub project: String,
    pub actor_key: u64,
    pub ts: i64,
    pub seq: u64,
    pub received_at: i64,
    pub message_id: String,
    pub kind: u8,
    pub anonymous_id: String,
    pub user_id: String,
    pub name: String,
    pub touchpoint: String,
    pub source: String,
    pub medium: String,
    pub campaign: String,
    pub term: String,
    pub content: String,
    pub referrer: String,
    pub channel: String,
    pub revenue: Option<f64>,
    pub currency: String,
    pub properties: String,
    pub traits: String,
    pub page_url: String,
    pub page_title: String,
    pub user_agent: String,
    pub ip: String,
    pub country: String,
    pub city: String,
    pub locale: String,
}

impl EventRow {
    pub fn new(project: &str, ev: Event, actor_key: u64, seq: u64) -> Self {
        EventRow {
            project: project.to_string(),
            actor_key,
            ts: ev.timestamp,
            seq,
            received_at: ev.received_at,
            message_id: ev.message_id,
            kind: ev.kind as u8,
            anonymous_id: ev.anonymous_id,
            user_id: ev.user_id,
            name: ev.name,
            touchpoint: ev.touchpoint,
            source: ev.channel.source,
            medium: ev.channel.medium,
            campaign: ev.channel.campaign,
            term: ev.channel.term,
            content: ev.channel.content,
            referrer: ev.channel.referrer,
            channel: ev.channel.group,
            revenue: ev.revenue.filter(|r| !r.is_nan()),
            currency: ev.currency,
            properties: ev.properties,
            traits: ev.traits,
            page_url: ev.context.page_url,
            page_title: ev.context.page_title,
            user_agent: ev.context.user_agent,
            ip: ev.context.ip,
            country: ev.context.country,
            city: ev.context.city,
            locale: ev.context.locale,
        }
    }

    pub fn into_event(self) -> Event {
        Event {
            message_id: self.message_id,
            kind: MessageKind::from_u8(self.kind).unwrap_or_default(),
            timestamp: self.ts,
            received_at: self.received_at,
            anonymous_id: self.anonymous_id,
            user_id: self.user_id,
            name: self.name,
            touchpoint: self.touchpoint,
            channel: Channel {
                source: self.source,
                medium: self.medium,
                campaign: self.campaign,
                term: self.term,
                content: self.content,
                referrer: self.referrer,
                group: self.channel,
            },
            revenue: self.revenue,
            currency: self.currency,
            properties: self.properties,
            traits: self.traits,
            context: Context {
                page_url: self.page_url,
                page_title: self.page_title,
                user_agent: self.user_agent,
                ip: self.ip,
                country: self.country,
                city: self.city,
                locale: self.locale,
            },
        }
    }
}

/// One row of `actors`.
#[derive(Debug, Clone, Row, Serialize, Deserialize)]
pub struct ActorRow {
    pub project: String,
    pub actor: String,
    pub key: u64,
    pub seen: u64,
}

/// One row of `links`.
#[derive(Debug, Clone, Row, Serialize, Deserialize)]
pub struct LinkRow {
    pub project: String,
    pub a: u64,
    pub b: u64,
    pub a_actor: String,
    pub b_actor: String,
    pub message_id: String,
    pub via: u8,
    pub at: i64,
    pub seq: u64,
}

/// One row of `overrides`.
#[derive(Debug, Clone, Row, Serialize, Deserialize)]
pub struct OverrideRow {
    pub project: String,
    pub key: u64,
    pub rep: u64,
}

/// One row of `changes`.
#[derive(Debug, Clone, Row, Serialize, Deserialize)]
pub struct ChangeRow {
    pub project: String,
    pub seq: u64,
    pub what: String,
}
