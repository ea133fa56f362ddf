//! The shop-scale benchmark: build a realistic large store through the product's own store
//! code, then measure what staff feel (see `rmaboard bench`).

mod measure;

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Duration, Utc};

use crate::demo::{MODELS, RESELLERS, Rng, Script, live, make_imei};
use crate::domain::{Category, Sale};
use crate::store::{Result, Store, StoreError};

pub use measure::{Figure, RunOptions, peak_rss_kib, run, writer};
pub(crate) use measure::{Samples, cases_at_manufacturer, toggle_move};

/// What `rmaboard bench generate` builds.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Sold devices to put in the registry.
    pub sales: u64,
    /// Cases to open and play through the flow.
    pub cases: u64,
    /// The generator's seed: the same seed builds the same store.
    pub seed: u64,
}

/// The `i`th generated sale: unique IMEI (type allocation code by model, serial by
/// number), a reseller, a dispatch day in the two years before `today`.
pub fn sale(i: u64, rng: &mut Rng, today: chrono::NaiveDate) -> Sale {
    let m = (i % MODELS.len() as u64) as usize;
    let (model, category, tac) = MODELS[m];
    // Several type allocation codes per model keep serials under a million.
    let tac = tac + 100 * (i / (MODELS.len() as u64 * 1_000_000)) as u32;
    let serial = ((i / MODELS.len() as u64) % 1_000_000) as u32;
    let customer = rng.range(0, 1999);
    let (name, country, address) = RESELLERS[(customer % RESELLERS.len() as u64) as usize];
    Sale {
        imei: make_imei(tac, serial),
        order_number: format!("SO-{}", 1_000_000 + i / 3),
        customer_number: format!("C-{}", 10_000 + customer),
        customer_name: Some(format!("{name} #{customer}")),
        customer_email: Some(format!("service@reseller-{customer}.example")),
        customer_address: Some(address.to_string()),
        country: Some(country.to_string()),
        customer_phone: None,
        model: model.to_string(),
        category,
        dispatched_on: today - Duration::days(rng.range(6, 760) as i64),
    }
}

/// Write `n` generated sales as a CSV file the product imports.
pub fn write_sales_csv(
    path: &Path,
    n: u64,
    seed: u64,
    today: chrono::NaiveDate,
) -> std::io::Result<()> {
    write_sales_csv_from(path, 0, n, seed, today)
}

/// Write the generated sales `first..first + n` as a CSV file (files of different ranges
/// hold different IMEIs).
pub fn write_sales_csv_from(
    path: &Path,
    first: u64,
    n: u64,
    seed: u64,
    today: chrono::NaiveDate,
) -> std::io::Result<()> {
    let file = std::fs::File::create(path)?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 20, file));
    w.write_record([
        "imei",
        "order_number",
        "customer_number",
        "customer_name",
        "customer_email",
        "customer_address",
        "country",
        "model",
        "category",
        "dispatched_on",
    ])?;
    let mut rng = Rng::new(seed);
    for i in first..first.saturating_add(n) {
        let s = sale(i, &mut rng, today);
        let date = s.dispatched_on.format("%Y-%m-%d").to_string();
        w.write_record([
            s.imei.as_str(),
            &s.order_number,
            &s.customer_number,
            s.customer_name.as_deref().unwrap_or_default(),
            s.customer_email.as_deref().unwrap_or_default(),
            s.customer_address.as_deref().unwrap_or_default(),
            s.country.as_deref().unwrap_or_default(),
            &s.model,
            s.category.as_str(),
            &date,
        ])?;
    }
    w.flush()?;
    let mut inner = w
        .into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    inner.flush()
}

/// What was generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generated {
    /// Sales written.
    pub sales: u64,
    /// Cases opened.
    pub cases: u64,
}

/// Fill an empty store with `sales` sold devices and `cases` cases opened over the two
/// years before `now`, each played through the same store calls staff use, so most are
/// shipped, a few thousand are active and some are late.
pub fn generate(
    store: &mut Store,
    opts: &GenerateOptions,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(&str, u64, u64),
) -> Result<Generated> {
    if store.sales_count()? > 0 || store.stage_counts()?.iter().sum::<u64>() > 0 {
        return Err(StoreError::BadKey(format!(
            "{} already holds data: generate into a new file",
            store.path().display()
        )));
    }
    store.set_bulk_load(true)?;
    let today = now.date_naive();
    let mut rng = Rng::new(opts.seed);
    let total = opts.sales;
    let rows = (0..opts.sales).map(|i| (i + 2, Ok(sale(i, &mut rng, today))));
    store.import_sales(rows, false, &mut |n| progress("sales", n, total))?;

    // Cases come from phones and tablets; walk the sales again with the same seed.
    let mut rng = Rng::new(opts.seed);
    let devices: Vec<Sale> = (0..opts.sales)
        .map(|i| sale(i, &mut rng, today))
        .filter(|s| matches!(s.category, Category::Phone | Category::Tablet))
        .collect();
    let mut made = 0;
    if !devices.is_empty() {
        let span_hours = 24 * 720;
        let mut rng = Rng::new(opts.seed ^ 0x5eed);
        // A pick may make no case (its dates allow no claim, or the device is still in
        // the workshop from an earlier pick); pick again, within reason.
        let mut picks = 0u64;
        let paperwork = crate::paperwork::Settings::default();
        while made < opts.cases && picks < opts.cases.saturating_mul(3) + 100 {
            let sale = &devices[(rng.next_u64() % devices.len() as u64) as usize];
            let at = now - Duration::hours(rng.range(1, span_hours) as i64);
            let script = Script::new(&mut rng);
            if live(
                store,
                &paperwork,
                &mut rng,
                &script,
                sale,
                picks as u32,
                at,
                now,
            )? {
                made += 1;
                if made % 1000 == 0 {
                    progress("cases", made, opts.cases);
                }
            }
            picks += 1;
        }
    }
    store.set_bulk_load(false)?;
    Ok(Generated {
        sales: opts.sales,
        cases: made,
    })
}
