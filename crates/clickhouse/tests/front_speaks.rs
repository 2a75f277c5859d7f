//! The test front speaks ClickHouse's HTTP interface as the official `clickhouse` crate uses it: LZ4-compressed
//! RowBinary inserts (validated against `DESCRIBE TABLE`), LZ4-compressed responses, errors with their code,
//! and credentials.

mod front;

use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
struct Item {
    id: u64,
    name: String,
    price: Option<f64>,
    note: String,
}

fn client() -> Option<Client> {
    let o = front::options("p")?;
    Some(Client::default().with_url(&o.url).with_user(&o.user).with_password(&o.password))
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(f)
}

#[test]
fn compressed_inserts_and_reads_round_trip() {
    let Some(server) = client() else { return };
    let items: Vec<Item> = (0..20_000)
        .map(|i| Item {
            id: i,
            name: format!("n{}", i % 7),
            price: (i % 3 != 0).then_some(i as f64 / 4.0),
            note: "ü ".repeat((i % 5) as usize),
        })
        .collect();
    let got = block_on(async {
        server.query("CREATE DATABASE IF NOT EXISTS speaks").execute().await?;
        let c = server.clone().with_database("speaks");
        c.query(
            "CREATE TABLE items (id UInt64, name LowCardinality(String), price Nullable(Float64), note String) \
                 ENGINE = MergeTree ORDER BY id",
        )
        .execute()
        .await?;
        let mut ins = c.insert::<Item>("items").await?;
        for it in &items {
            ins.write(it).await?;
        }
        ins.end().await?;
        let n: u64 = c.query("SELECT count() FROM items WHERE name = ?").bind("n3").fetch_one().await?;
        assert_eq!(n, items.iter().filter(|i| i.name == "n3").count() as u64);
        c.query("SELECT ?fields FROM items ORDER BY id").fetch_all::<Item>().await
    })
    .expect("round trip");
    assert_eq!(got, items);
}

#[test]
fn errors_carry_the_code_and_bad_credentials_are_refused() {
    let Some(server) = client() else { return };
    let err = block_on(server.query("SELECT * FROM nowhere.nothing").fetch_all::<u64>()).expect_err("no such table");
    let text = err.to_string();
    assert!(text.contains("Code: 81") || text.contains("81"), "{text}");
    let o = front::options("p").expect("front");
    let wrong = Client::default().with_url(&o.url).with_user(&o.user).with_password("wrong");
    let err = block_on(wrong.query("SELECT 1").fetch_one::<u8>()).expect_err("refused");
    assert!(err.to_string().contains("516"), "{err}");
}
