//! A realistic demo shop: resellers, a few hundred sales and cases in every stage, some of
//! them late, with notes and history. Built through the same store calls staff use.

use chrono::{DateTime, Duration, Utc};

use crate::domain::case::Change;
use crate::domain::imei::check_digit;
use crate::domain::tracking::s10_check_digit;
use crate::domain::{Category, Imei, Part, S10, Sale, TrackingNumber, VoidReason};
use crate::paperwork::Settings;
use crate::store::{MoveOptions, NewCase, Result, Step, Store, StoreError};

/// A small deterministic generator (SplitMix64): the same seed gives the same shop.
pub struct Rng(u64);

impl Rng {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next number of the sequence.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// One of `words`, picked at random.
    pub fn word(&mut self, words: &[&'static str]) -> &'static str {
        words[(self.next_u64() % words.len() as u64) as usize]
    }

    /// One of `items`, picked at random.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }
}

/// A valid IMEI from a type allocation code and a serial.
pub fn make_imei(tac: u32, serial: u32) -> Imei {
    let body = format!("{:08}{:06}", tac % 100_000_000, serial % 1_000_000);
    let full = format!("{body}{}", check_digit(&body));
    // Built with its own check digit, so it always parses.
    Imei::parse(&full).unwrap_or_else(|_| unreachable_imei())
}

fn unreachable_imei() -> Imei {
    // 490154203237518 is the standard's worked example and valid.
    match Imei::parse("490154203237518") {
        Ok(i) => i,
        Err(_) => unreachable!("the worked example is a valid IMEI"),
    }
}

/// A valid S10 number with a service code and country.
pub fn make_s10(service: &str, serial: u32, country: &str) -> String {
    let digits = format!("{:08}", serial % 100_000_000);
    format!("{service}{digits}{}{country}", s10_check_digit(&digits))
}

/// The demo shop's catalogue: (model, category, type allocation code of its IMEIs).
pub const MODELS: &[(&str, Category, u32)] = &[
    ("CECT P30 Pro", Category::Phone, 35_209_611),
    ("CECT M10 Mini", Category::Phone, 35_209_612),
    ("CECT Note 9", Category::Phone, 35_209_613),
    ("CECT X5 Rugged", Category::Phone, 35_209_614),
    ("CECT Pad 10", Category::Tablet, 86_102_301),
    ("CECT Tab 8 Kids", Category::Tablet, 86_102_302),
    ("CECT 30W Charger", Category::Accessory, 99_000_101),
    ("CECT Display Kit", Category::Component, 99_000_201),
];

/// The demo shop's customers: (name, country code, address).
pub const RESELLERS: &[(&str, &str, &str)] = &[
    (
        "Mobile Hub Rotterdam",
        "NL",
        "Coolsingel 40, 3011 AD Rotterdam",
    ),
    (
        "Handy Eck Leipzig",
        "DE",
        "Karl-Liebknecht-Str. 12, 04107 Leipzig",
    ),
    (
        "Phone Corner Lyon",
        "FR",
        "12 Rue de la Republique, 69002 Lyon",
    ),
    (
        "Telefonia Sol Sevilla",
        "ES",
        "Calle Sierpes 33, 41004 Sevilla",
    ),
    ("Cellulari Moro Torino", "IT", "Via Roma 101, 10123 Torino"),
    (
        "GSM Serwis Krakow",
        "PL",
        "ul. Florianska 20, 31-021 Krakow",
    ),
    ("Mobilshop Graz", "AT", "Herrengasse 7, 8010 Graz"),
    ("Smart Gent", "BE", "Veldstraat 55, 9000 Gent"),
    ("Mobilkungen Malmo", "SE", "Sodergatan 9, 211 34 Malmo"),
    ("Telefony Brno", "CZ", "Masarykova 18, 602 00 Brno"),
    ("Phone Doctor Leeds", "GB", "Briggate 60, Leeds LS1 6HD"),
    ("Kalle Mobil Hamburg", "DE", "Spitalerstr. 3, 20095 Hamburg"),
];

const STAFF: &[&str] = &["anna", "ben", "chen"];

const FAULTS: &[&str] = &[
    "Does not switch on after charging overnight",
    "Touchscreen dead in the lower third",
    "Reboots every few minutes",
    "No signal on SIM 2",
    "Camera app shows a black image",
    "Speaker crackles at any volume",
    "Battery drains from full in two hours",
    "Screen arrived cracked in an undamaged box",
    "Charging port loose, charges only at an angle",
    "Wi-Fi cannot find any network",
];

const NOTES: &[&str] = &[
    "Customer called, asked for the status.",
    "Box arrived dented; photographed before opening.",
    "Manufacturer asked for proof of purchase, sent the invoice.",
    "Tested with another charger and cable: device fault confirmed.",
    "Reseller wants it back before the weekend if possible.",
    "Screen protector removed for testing, not refitted.",
];

/// What the demo filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Made {
    /// Sales written to the registry.
    pub sales: u64,
    /// Cases opened.
    pub cases: u64,
}

/// The settings the demo runs with: the user's, with a shop name, a made-up address and
/// sender (`[shop] email`) where the user's config has none, so its bills and mails look
/// like a configured shop's. Its outbox sends into `cat`, so demo mail never leaves the machine. Nothing is
/// written to the user's config file.
pub fn shop_config(mut config: crate::config::Config) -> crate::config::Config {
    if config.shop.name.trim().is_empty() {
        config.shop.name = crate::config::ShopConfig::default().name;
    }
    if config.shop.address.is_empty() {
        config.shop.address = vec![
            "Unit 1, 1 Demo Road".into(),
            "518000 Shenzhen".into(),
            "China".into(),
        ];
    }
    if config.shop.email.trim().is_empty() {
        config.shop.email = "support@demo-shop.example".into();
    }
    config.mail.command = "cat".into();
    config
}

mod requests;
pub use requests::fill_requests;

/// Fill an empty database with the demo shop, as of `now`.
/// Bills and messages are worded by `paperwork`, as the shop's would be.
pub fn fill(store: &mut Store, paperwork: &Settings, now: DateTime<Utc>) -> Result<Made> {
    if store.sales_count()? > 0 || store.stage_counts()?.iter().sum::<u64>() > 0 {
        return Err(StoreError::BadKey(format!(
            "{} already holds data, so no demo was added: give a new file with --db, or none for a temporary demo",
            store.path().display()
        )));
    }
    let mut rng = Rng::new(2026);
    let sales = demo_sales(&mut rng, now);
    let n_sales = sales.len() as u64;
    let rows: Vec<_> = sales
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, s)| (i as u64 + 2, Ok(s)))
        .collect();
    store.import_sales(rows, false, &mut |_| {})?;

    // Claims come from phones and tablets still under guarantee, a few from expired ones.
    let mut candidates: Vec<&Sale> = sales
        .iter()
        .filter(|s| matches!(s.category, Category::Phone | Category::Tablet))
        .collect();
    candidates.sort_by_key(|s| s.dispatched_on);
    let mut cases = 0;
    for (i, sale) in candidates.iter().rev().enumerate().step_by(2).take(110) {
        if play_case(store, paperwork, &mut rng, sale, i as u32, now)? {
            cases += 1;
        }
    }
    cases += resellers_in_flight(store, paperwork, &mut rng, &sales, now)?;
    // The shop sends from cron: only the last day's messages still wait in the outbox.
    store.mark_demo_messages_sent(now - Duration::hours(24))?;
    Ok(Made {
        sales: n_sales,
        cases,
    })
}

/// The demo's sales registry as of `now`, drawn from `rng` (seeded 2026 by [`fill`]: the
/// same list every time).
fn demo_sales(rng: &mut Rng, now: DateTime<Utc>) -> Vec<Sale> {
    let today = now.date_naive();
    let mut sales = Vec::new();
    for i in 0..360u32 {
        let (model, category, tac) = *rng.pick(MODELS);
        // Accessories and components are a small share of what is sold.
        if matches!(category, Category::Accessory | Category::Component) && rng.chance(70) {
            continue;
        }
        let r = (i as usize * 7 + rng.range(0, 3) as usize) % RESELLERS.len();
        let (name, country, address) = RESELLERS[r];
        let days_ago = rng.range(6, 540);
        let dispatched_on = today - Duration::days(days_ago as i64);
        sales.push(Sale {
            imei: make_imei(tac, 100_000 + i * 37),
            order_number: format!("SO-{}", 240_000 + i * 3),
            customer_number: format!("C-{}", 1001 + r),
            customer_name: Some(name.into()),
            customer_email: Some(format!("service@reseller-{}.example", 1001 + r)),
            customer_address: Some(address.into()),
            country: Some(country.into()),
            customer_phone: None,
            model: model.into(),
            category,
            dispatched_on,
        });
    }
    sales
}

/// The inbound parcel of four devices [`fill`] leaves expected, from the first reseller.
pub const PARCEL_DEVICES: usize = 4;

/// The devices of the second reseller [`fill`] leaves inspected, ready to go back together.
pub const READY_DEVICES: usize = 3;

/// The last `count` of the reseller's phones and tablets in `sales` with no case yet and
/// still under guarantee on `on`.
fn free_sales<'a>(
    store: &Store,
    sales: &'a [Sale],
    customer: &str,
    count: usize,
    on: DateTime<Utc>,
) -> Result<Vec<&'a Sale>> {
    let mut free = Vec::new();
    for sale in sales.iter().rev() {
        if free.len() == count {
            break;
        }
        if sale.customer_number != customer
            || !matches!(sale.category, Category::Phone | Category::Tablet)
            || store.open_case_of(&sale.imei)?.is_some()
        {
            continue;
        }
        let verdict = store
            .assess(&sale.imei, on.date_naive(), Part::Device)?
            .verdict;
        if verdict == crate::domain::Verdict::Covered {
            free.push(sale);
        }
    }
    Ok(free)
}

/// Resellers with several devices in flight, as the shop sees them every week: one
/// parcel of [`PARCEL_DEVICES`] devices under one inbound tracking number still on its
/// way (a parcel to unpack), and [`READY_DEVICES`] devices of another reseller inspected
/// and ready to ship in one parcel. Opened as a batch and moved together, as staff would.
/// Returns the number of cases opened.
fn resellers_in_flight(
    store: &mut Store,
    paperwork: &Settings,
    rng: &mut Rng,
    sales: &[Sale],
    now: DateTime<Utc>,
) -> Result<u64> {
    let claimed = now - Duration::days(5);
    let mut opened = 0;
    for (r, count) in [(0usize, PARCEL_DEVICES), (1, READY_DEVICES)] {
        let customer = format!("C-{}", 1001 + r);
        let free = free_sales(store, sales, &customer, count, claimed)?;
        let tracking_in = TrackingNumber::parse(&make_s10(
            "RR",
            7_000_000 + r as u32,
            &country_code(free.first().copied().unwrap_or(&sales[0])),
        ))
        .ok();
        let rows = free
            .iter()
            .enumerate()
            .map(|(line, sale)| {
                let new = NewCase {
                    imei: sale.imei.clone(),
                    fault: rng.pick(FAULTS).to_string(),
                    part: Part::Device,
                    claimed_at: claimed,
                    tracking_in: tracking_in.clone(),
                    override_reason: None,
                };
                (line as u64 + 2, Ok(new))
            })
            .collect();
        let at = claimed + Duration::hours(2);
        let batch = store.open_batch(rows, rng.word(STAFF), at, paperwork)?;
        if let Some(bad) = batch.rejected.first() {
            return Err(StoreError::Refused(format!(
                "the demo's batch for {customer} was refused: {}",
                bad.message
            )));
        }
        opened += batch.opened.len() as u64;
        if r == 0 {
            // Still in the post: the first reseller's parcel waits to be unpacked.
            continue;
        }
        let mut cases = batch.opened;
        for (hours, change) in [
            (48, Change::Receive { tracking_in: None }),
            (
                60,
                Change::InspectPass {
                    in_house: true,
                    note: Some("Reflashed and tested; fault gone.".into()),
                },
            ),
        ] {
            let steps = cases
                .iter()
                .map(|c| Step {
                    id: c.id,
                    version: c.version,
                    change: change.clone(),
                })
                .collect();
            let done = store.apply_many(
                steps,
                MoveOptions::default(),
                rng.word(STAFF),
                claimed + Duration::hours(hours),
                paperwork,
            )?;
            cases = done.moved.into_iter().map(|(_, now)| now).collect();
        }
    }
    Ok(opened)
}

/// How a case's life goes, in hours after opening, planned before it is played.
pub(crate) struct Script {
    transit: u64,
    bench: u64,
    /// None: void at intake; Some(0): repaired in-house.
    repair: Option<u64>,
    fail_round: Option<u64>,
    pack: u64,
}

impl Script {
    pub(crate) fn new(rng: &mut Rng) -> Script {
        let late = |rng: &mut Rng, pct, slow: (u64, u64), usual: (u64, u64)| {
            let (lo, hi) = if rng.chance(pct) { slow } else { usual };
            rng.range(lo, hi)
        };
        let kind = rng.range(0, 99);
        Script {
            transit: late(rng, 15, (24 * 25, 24 * 40), (24 * 3, 24 * 12)),
            bench: late(rng, 10, (60, 120), (1, 30)),
            repair: match kind {
                0..=5 => None,
                6..=11 => Some(0),
                _ => Some(late(rng, 25, (24 * 32, 24 * 45), (24 * 3, 24 * 24))),
            },
            fail_round: rng.chance(10).then(|| rng.range(24 * 4, 24 * 14)),
            pack: late(rng, 10, (60, 96), (2, 30)),
        }
    }

    /// Hours after opening at which the case enters each later stage.
    fn milestones(&self) -> [u64; 4] {
        let received = self.transit;
        let sent = received + self.bench;
        let inspected = sent + self.repair.unwrap_or(0) + self.fail_round.unwrap_or(0);
        [received, sent, inspected, inspected + self.pack]
    }
}

/// Open a case for `sale` some time ago and play its life up to `now`, so that it ends
/// in a stage drawn from a realistic mix.
fn play_case(
    store: &mut Store,
    paperwork: &Settings,
    rng: &mut Rng,
    sale: &Sale,
    i: u32,
    now: DateTime<Utc>,
) -> Result<bool> {
    let script = Script::new(rng);
    let [received, sent, inspected, shipped] = script.milestones();
    // Where "now" falls in the case's life: expected, received, at manufacturer,
    // inspected, shipped (the last up to ten weeks after shipping).
    let age_hours = match rng.range(0, 99) {
        0..=9 => rng.range(1, received.max(2) - 1),
        10..=17 => rng.range(received, sent.max(received + 1)),
        18..=34 => rng.range(sent, inspected.max(sent + 1)),
        35..=41 => rng.range(inspected, shipped.max(inspected + 1)),
        _ => rng.range(shipped + 1, shipped + 24 * 70),
    };
    let at = now - Duration::hours(age_hours as i64) - Duration::minutes(rng.range(0, 59) as i64);
    live(store, paperwork, rng, &script, sale, i, at, now)
}

/// Open a case for `sale` at `at` and play `script` up to `now`. False if the sale's
/// dates make no claim possible.
#[allow(clippy::too_many_arguments)]
pub(crate) fn live(
    store: &mut Store,
    paperwork: &Settings,
    rng: &mut Rng,
    script: &Script,
    sale: &Sale,
    i: u32,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let Some(dispatched) = sale.dispatched_on.and_hms_opt(9, 0, 0).map(|t| t.and_utc()) else {
        return Ok(false);
    };
    let claimed =
        (at - Duration::hours(rng.range(3, 40) as i64)).max(dispatched + Duration::hours(20));
    let at = at.max(claimed);
    let expired = store
        .assess(&sale.imei, claimed.date_naive(), Part::Device)?
        .verdict
        == crate::domain::Verdict::Expired;
    let opened = store.open_case(
        NewCase {
            imei: sale.imei.clone(),
            fault: rng.pick(FAULTS).to_string(),
            part: Part::Device,
            claimed_at: claimed,
            tracking_in: rng
                .chance(60)
                .then(|| make_s10("RR", 3_000_000 + i * 11, &country_code(sale)))
                .and_then(|t| TrackingNumber::parse(&t).ok()),
            override_reason: expired.then(|| "Long-standing reseller, goodwill repair".to_string()),
        },
        rng.word(STAFF),
        at,
        paperwork,
    );
    let case = match opened {
        Ok(case) => case,
        // The device is still in the workshop from an earlier pick: no second case.
        Err(StoreError::AlreadyOpen { .. }) => return Ok(false),
        Err(e) => return Err(e),
    };
    let mut life = Life {
        id: case.id,
        version: case.version,
        at,
        now,
    };
    if !life.step(
        store,
        paperwork,
        rng,
        script.transit,
        Change::Receive { tracking_in: None },
    )? {
        return Ok(true);
    }
    if rng.chance(25) {
        life.note(store, rng, NOTES)?;
    }
    match script.repair {
        None => {
            let reason = *rng.pick(&[
                VoidReason::WaterDamage,
                VoidReason::Dropped,
                VoidReason::UnauthorisedSoftware,
            ]);
            let change = Change::Void {
                reason,
                note: "Found at intake; customer informed, returned unrepaired.".into(),
            };
            if !life.step(store, paperwork, rng, script.bench, change)? {
                return Ok(true);
            }
        }
        Some(0) => {
            if !life.step(
                store,
                paperwork,
                rng,
                script.bench,
                Change::InspectPass {
                    in_house: true,
                    note: None,
                },
            )? {
                return Ok(true);
            }
        }
        Some(repair) => {
            let send = Change::Send {
                manufacturer_ref: format!("CECT-SR-{}", 880_000 + i * 13),
            };
            if !life.step(store, paperwork, rng, script.bench, send)? {
                return Ok(true);
            }
            if let Some(round) = script.fail_round {
                let fail = Change::InspectFail {
                    note: "Same fault after repair; sent back with a video of the fault.".into(),
                };
                if !life.step(store, paperwork, rng, repair, fail)? {
                    return Ok(true);
                }
                if !life.step(
                    store,
                    paperwork,
                    rng,
                    round,
                    Change::InspectPass {
                        in_house: false,
                        note: None,
                    },
                )? {
                    return Ok(true);
                }
            } else if !life.step(
                store,
                paperwork,
                rng,
                repair,
                Change::InspectPass {
                    in_house: false,
                    note: None,
                },
            )? {
                return Ok(true);
            }
        }
    }
    let Ok(tracking) = S10::parse(&make_s10("RR", 50_000_000 + i * 17, "CN")) else {
        return Ok(true);
    };
    life.step(
        store,
        paperwork,
        rng,
        script.pack,
        Change::Ship { tracking },
    )?;
    Ok(true)
}

/// One case moving through time; a step that would lie in the future is not taken.
struct Life {
    id: i64,
    version: i64,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
}

impl Life {
    fn step(
        &mut self,
        store: &mut Store,
        paperwork: &Settings,
        rng: &mut Rng,
        hours: u64,
        change: Change,
    ) -> Result<bool> {
        let next = self.at + Duration::hours(hours as i64);
        if next > self.now {
            return Ok(false);
        }
        self.at = next;
        let c = store.apply(
            self.id,
            self.version,
            change,
            rng.word(STAFF),
            next,
            paperwork,
        )?;
        self.version = c.case.version;
        Ok(true)
    }

    fn note(&mut self, store: &mut Store, rng: &mut Rng, notes: &[&'static str]) -> Result<()> {
        let at = self.at + Duration::hours(1);
        if at <= self.now {
            let c = store.add_note(self.id, rng.word(notes), rng.word(STAFF), at)?;
            self.version = c.version;
        }
        Ok(())
    }
}

fn country_code(sale: &Sale) -> String {
    sale.country
        .as_deref()
        .filter(|c| c.len() == 2)
        .unwrap_or("NL")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Stage;

    #[test]
    fn the_demo_is_a_configured_shop_but_keeps_what_the_user_set() {
        let demo = shop_config(crate::config::Config::default());
        assert!(!demo.shop.address.is_empty());
        assert!(demo.shop.email.contains('@'));
        assert_eq!(demo.mail.command, "cat");
        let mut mine = crate::config::Config::default();
        mine.shop.address = vec!["Real Street 1".into()];
        mine.shop.email = "rma@shop.example".into();
        let demo = shop_config(mine);
        assert_eq!(demo.shop.address, vec!["Real Street 1".to_string()]);
        assert_eq!(demo.shop.email, "rma@shop.example");
    }

    #[test]
    fn generated_identifiers_are_valid() {
        for serial in [0, 1, 999_999, 123_456] {
            let imei = make_imei(35_209_611, serial);
            assert!(Imei::parse(imei.as_str()).is_ok());
        }
        for serial in [0, 1, 12_345_678, 99_999_999] {
            assert!(S10::parse(&make_s10("RR", serial, "CN")).is_ok());
        }
    }

    #[test]
    fn the_demo_fills_every_stage() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("demo.sqlite")).unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .unwrap()
            .to_utc();
        let made = fill(&mut store, &Settings::default(), now).unwrap();
        assert!(made.sales > 200, "{made:?}");
        assert!(made.cases > 80, "{made:?}");
        let counts = store.stage_counts().unwrap();
        for (stage, n) in Stage::ALL.iter().zip(counts) {
            assert!(n > 0, "no cases in {stage}: {counts:?}");
        }
        let clocks = crate::domain::Clocks::default();
        for stage in [Stage::Expected, Stage::AtManufacturer] {
            let late = store.late_count(stage, &clocks, now).unwrap();
            assert!(late > 0, "some cases in {stage} should be late");
        }
        // A reseller's parcel of several devices is on its way under one tracking number,
        // and another reseller's devices are inspected and ready to go back together.
        let expected = store.list(crate::store::ListFilter {
            stage: Some(Stage::Expected),
            customer: Some("C-1001".into()),
            overdue: None,
        });
        let expected = expected.unwrap();
        let parcel = make_s10("RR", 7_000_000, "NL");
        let in_parcel = expected
            .iter()
            .filter(|c| c.tracking_in.as_deref() == Some(parcel.as_str()))
            .count();
        assert_eq!(in_parcel, PARCEL_DEVICES, "{expected:?}");
        let ready = store
            .list(crate::store::ListFilter {
                stage: Some(Stage::Inspected),
                customer: Some("C-1002".into()),
                overdue: None,
            })
            .unwrap();
        assert!(ready.len() >= READY_DEVICES, "{ready:?}");
        // A second fill is refused rather than mixed in.
        assert!(fill(&mut store, &Settings::default(), now).is_err());
    }
}
