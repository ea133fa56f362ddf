//! The customs document of a parcel: a CN 23 declaration as the UPU defines it, one line
//! per device, category "Returned goods", value EUR 0.00. The policy: "The device will
//! be packaged and returned to you free of charge by China Post. A repair bill of €0.00
//! is applied for customs clearance purposes." One [`Bill::content`] feeds both the PDF
//! and the plain text, so the two always say the same.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Goods, Settings, customer_block, customer_line, format_amount};
use crate::domain::Outcome;
use crate::domain::case::Case;
use crate::domain::sale::Sale;
use crate::domain::text::clean_line;
use crate::domain::time::local_date;

/// What a device is, for customs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// A smartphone (HS 8517.13).
    Phone,
    /// A tablet (HS 8471.30).
    Tablet,
}

impl DeviceKind {
    /// The name in the database and the config: `phone`, `tablet`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Phone => "phone",
            DeviceKind::Tablet => "tablet",
        }
    }

    /// `phone` or `tablet`, any case.
    pub fn parse(s: &str) -> Option<DeviceKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "phone" | "smartphone" | "mobile phone" => Some(DeviceKind::Phone),
            "tablet" => Some(DeviceKind::Tablet),
            _ => None,
        }
    }

    /// How the declaration names it: "mobile phone", "tablet".
    pub fn noun(self) -> &'static str {
        match self {
            DeviceKind::Phone => "mobile phone",
            DeviceKind::Tablet => "tablet",
        }
    }

    /// The built-in declaration: smartphones HS 8517.13 and 200 g, tablets HS 8471.30
    /// (portable computers) and 500 g, both made in China.
    pub fn goods(self) -> Goods {
        match self {
            DeviceKind::Phone => Goods {
                hs_code: "8517.13".into(),
                origin: "CN".into(),
                net_weight_g: 200,
            },
            DeviceKind::Tablet => Goods {
                hs_code: "8471.30".into(),
                origin: "CN".into(),
                net_weight_g: 500,
            },
        }
    }

    /// Guessed from a model's name: a word "tab", "tab" and digits ("Tab8"), starting
    /// with "tablet", or ending in "pad" ("MatePad", "iPad") makes a tablet; anything
    /// else a phone.
    pub fn by_name(model: &str) -> DeviceKind {
        let lower = model.to_lowercase();
        let tablet = lower.split(|c: char| !c.is_alphanumeric()).any(|w| {
            let tab = w
                .strip_prefix("tab")
                .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit()));
            tab || w.starts_with("tablet") || (w.ends_with("pad") && w.len() > 3)
        });
        if tablet {
            DeviceKind::Tablet
        } else {
            DeviceKind::Phone
        }
    }
}

/// Sender or addressee of a parcel, as printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    /// The name; `None` when the sales registry has none.
    pub name: Option<String>,
    /// The postal address, one entry per printed line (the sales registry separates
    /// lines with `|`).
    pub address: Vec<String>,
    /// The country, when it is not already the address's last line.
    pub country: Option<String>,
    /// The telephone number, when known.
    pub phone: Option<String>,
}

/// One device on a bill: one line of the declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillItem {
    /// The row id of the case shipped.
    pub case_id: i64,
    /// The case's RMA number.
    pub rma: String,
    /// The sales order the device was sold on.
    pub order_number: String,
    /// The device model.
    pub model: String,
    /// Phone or tablet; `None` on bills issued before rmaboard declared it.
    pub kind: Option<DeviceKind>,
    /// The device's IMEI.
    pub imei: String,
    /// How many (always 1: one device per case).
    pub quantity: u32,
    /// Net weight in grams; `None` on bills issued before rmaboard declared it.
    pub net_weight_g: Option<u32>,
    /// The declared value, in cents of the bill's currency.
    pub value_cents: i64,
    /// The HS tariff number; `None` on bills issued before rmaboard declared it.
    pub hs_code: Option<String>,
    /// The ISO country code of origin; `None` on older bills.
    pub origin: Option<String>,
    /// Why it travels: "Warranty repair, no commercial value", or for a device returned
    /// unrepaired "Returned unrepaired, no commercial value".
    pub reason: String,
    /// Returned unrepaired (void, not covered) rather than repaired.
    pub unrepaired: bool,
}

impl BillItem {
    /// "CECT P30 Pro mobile phone".
    pub fn description(&self) -> String {
        match self.kind {
            Some(k) => format!("{} {}", self.model, k.noun()),
            None => self.model.clone(),
        }
    }
}

/// A bill as it was issued: the customs declaration of one parcel. Everything on it is
/// kept, so a reprint shows what the parcel carried even if the configuration changed
/// since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bill {
    /// Sequential, never reused; 0 until the store assigned it.
    pub number: i64,
    /// When it was issued (the ship).
    pub issued_at: DateTime<Utc>,
    /// The S10 number of the parcel.
    pub tracking_out: String,
    /// The shop.
    pub sender: Party,
    /// The reseller the parcel goes to.
    pub addressee: Party,
    /// The 3-letter currency code of every value on it.
    pub currency: String,
    /// Where the declaration is signed.
    pub place: String,
    /// Grams of packaging; `None` on bills issued before rmaboard declared weights.
    pub packaging_g: Option<u32>,
    /// The devices in the parcel, in the order given.
    pub items: Vec<BillItem>,
}

/// What a bill shows, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    /// The heading.
    pub title: String,
    /// Printed under the heading.
    pub subtitle: String,
    /// The sender: name first, then address lines and the phone.
    pub from: Vec<String>,
    /// The addressee: name, address lines, country, phone.
    pub to: Vec<String>,
    /// (label, value) facts about the shipment: bill number, S10 number, category.
    pub facts: Vec<(String, String)>,
    /// The headings of the table of contents.
    pub columns: Vec<String>,
    /// One row per device, as many cells as `columns`.
    pub rows: Vec<Vec<String>>,
    /// (label, value) of the totals.
    pub totals: Vec<(String, String)>,
    /// The reason(s) the goods travel.
    pub explanation: String,
    /// The sender's declaration.
    pub declaration: String,
    /// Place and date.
    pub place_date: String,
}

const MISSING: &str = "(not in the sales registry)";

/// The category of item ticked on every bill.
pub const CATEGORY: &str = "Returned goods";

/// "0.200".
fn kg(grams: u32) -> String {
    format!("{}.{:03}", grams / 1000, grams % 1000)
}

impl Bill {
    /// A new bill (number 0) for cases shipped together in one parcel today, each with
    /// its sale. The addressee is the first case's customer (a parcel goes to one
    /// reseller); `addressee_phone` is theirs when the sales registry has it.
    pub fn draft(
        settings: &Settings,
        cases: &[(&Case, Option<&Sale>)],
        addressee_phone: Option<&str>,
        at: DateTime<Utc>,
    ) -> Bill {
        let sale = cases.iter().find_map(|(_, s)| *s);
        let country = sale.and_then(|s| customer_line(s.country.as_deref()));
        let declared = settings.declaration(country.as_deref());
        let items = cases
            .iter()
            .map(|(case, sale)| {
                let (kind, goods) = settings.goods(&case.model, sale.map(|s| s.category));
                let unrepaired = case.outcome == Some(Outcome::ReturnedUnrepaired);
                BillItem {
                    case_id: case.id,
                    rma: case.rma.to_string(),
                    order_number: clean_line(&case.order_number),
                    model: clean_line(&case.model),
                    kind: Some(kind),
                    imei: case.imei.to_string(),
                    quantity: 1,
                    net_weight_g: Some(goods.net_weight_g),
                    value_cents: declared.value_cents,
                    hs_code: Some(goods.hs_code),
                    origin: Some(goods.origin),
                    reason: if unrepaired {
                        declared.wording_unrepaired.clone()
                    } else {
                        declared.wording.clone()
                    },
                    unrepaired,
                }
            })
            .collect();
        Bill {
            number: 0,
            issued_at: at,
            tracking_out: cases
                .first()
                .and_then(|(c, _)| c.tracking_out.clone())
                .unwrap_or_default(),
            sender: Party {
                name: Some(settings.shop_name.clone()),
                address: settings.shop_address.clone(),
                country: None,
                phone: settings.shop_phone.clone(),
            },
            addressee: Party {
                name: sale.and_then(|s| customer_line(s.customer_name.as_deref())),
                address: sale
                    .and_then(|s| customer_block(s.customer_address.as_deref()))
                    .map(|a| {
                        // One printed line each: the registry separates them with `|`
                        // (a CSV field holds no line break).
                        a.split(['\n', '|'])
                            .map(str::trim)
                            .filter(|l| !l.is_empty())
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
                country,
                phone: customer_line(addressee_phone),
            },
            currency: declared.currency.clone(),
            place: settings.place.clone(),
            packaging_g: Some(settings.packaging_g),
            items,
        }
    }

    /// "B-000042".
    pub fn label(&self) -> String {
        format!("B-{:06}", self.number)
    }

    /// The RMA number of the first device (the one a one-device bill is named by).
    pub fn first_rma(&self) -> &str {
        self.items.first().map_or("", |i| i.rma.as_str())
    }

    /// The file name a bill is written under: its number, the first RMA and how many
    /// more devices it lists.
    pub fn file_name(&self) -> String {
        Bill::file_name_of(self.number, self.first_rma(), self.items.len())
    }

    /// The file name of bill `number` listing `count` devices, the first of case `rma`:
    /// `B-000042-RMA-2026-00042.pdf`, or `B-000042-RMA-2026-00042+4.pdf` for five.
    pub fn file_name_of(number: i64, rma: &str, count: usize) -> String {
        if count > 1 {
            format!("B-{number:06}-{rma}+{}.pdf", count - 1)
        } else {
            format!("B-{number:06}-{rma}.pdf")
        }
    }

    /// The bill number and first RMA a bill file is named by, if `name` is one.
    pub fn parse_file_name(name: &str) -> Option<(i64, &str)> {
        let rest = name.strip_prefix("B-")?.strip_suffix(".pdf")?;
        let (number, rma) = rest.split_once('-')?;
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let rma = match rma.rsplit_once('+') {
            Some((rma, more)) if !more.is_empty() && more.bytes().all(|b| b.is_ascii_digit()) => {
                rma
            }
            _ => rma,
        };
        Some((number.parse().ok()?, rma))
    }

    /// The declared value of the whole parcel, in cents.
    pub fn total_value_cents(&self) -> i64 {
        self.items.iter().map(|i| i.value_cents).sum()
    }

    /// How many pieces.
    pub fn pieces(&self) -> u32 {
        self.items.iter().map(|i| i.quantity).sum()
    }

    /// The devices' weight and the packaging's, in grams; `None` when a weight is not
    /// known (bills issued before rmaboard declared weights).
    pub fn gross_weight_g(&self) -> Option<u32> {
        let mut total = self.packaging_g?;
        for i in &self.items {
            total = total.saturating_add(i.net_weight_g?.saturating_mul(i.quantity));
        }
        Some(total)
    }

    /// Why the goods travel, each reason once: "Warranty repair, no commercial value".
    pub fn explanation(&self) -> String {
        let mut reasons: Vec<&str> = Vec::new();
        for i in &self.items {
            if !reasons.contains(&i.reason.as_str()) {
                reasons.push(&i.reason);
            }
        }
        reasons.join("; ")
    }

    /// "EUR 0.00".
    pub fn money(&self, cents: i64) -> String {
        format!("{} {}", self.currency, format_amount(cents))
    }

    /// What the bill shows, for the PDF and the plain text alike.
    pub fn content(&self) -> Content {
        let s = &self.sender;
        let mut from = vec![s.name.clone().unwrap_or_default()];
        if s.address.is_empty() {
            from.push("(shop address not configured: set [shop] address in config.toml)".into());
        } else {
            from.extend(s.address.iter().cloned());
        }
        if let Some(p) = &s.phone {
            from.push(format!("Tel. {p}"));
        }
        let a = &self.addressee;
        let mut to = vec![
            a.name
                .clone()
                .unwrap_or_else(|| format!("Customer name {MISSING}")),
        ];
        if a.address.is_empty() {
            to.push(format!("Address {MISSING}"));
        } else {
            to.extend(a.address.iter().cloned());
        }
        match &a.country {
            Some(c) if a.address.last() != Some(c) => to.push(c.clone()),
            Some(_) => {}
            None => to.push(format!("Country {MISSING}")),
        }
        if let Some(p) = &a.phone {
            to.push(format!("Tel. {p}"));
        }
        let mixed =
            self.items.iter().any(|i| i.unrepaired) && self.items.iter().any(|i| !i.unrepaired);
        let rows = self
            .items
            .iter()
            .map(|i| {
                let mut description = i.description();
                if mixed && i.unrepaired {
                    description.push_str(" (returned unrepaired)");
                }
                vec![
                    description,
                    i.imei.clone(),
                    i.rma.clone(),
                    i.quantity.to_string(),
                    i.net_weight_g.map(kg).unwrap_or_else(|| "-".into()),
                    self.money(i.value_cents),
                    i.hs_code.clone().unwrap_or_else(|| "-".into()),
                    i.origin.clone().unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        let post =
            crate::domain::tracking::post_of(self.tracking_out.get(11..).unwrap_or_default());
        Content {
            title: "CUSTOMS DECLARATION CN 23".into(),
            subtitle: "Déclaration en douane. May be opened officially.".into(),
            from,
            to,
            facts: vec![
                ("Bill number".into(), self.label()),
                (
                    "Item number (S10)".into(),
                    format!("{} ({post})", self.tracking_out),
                ),
                ("Category of item".into(), format!("[X] {CATEGORY}")),
                ("Explanation".into(), self.explanation()),
            ],
            columns: [
                "Detailed description of contents",
                "IMEI",
                "RMA",
                "Qty",
                "Net kg",
                "Value",
                "HS tariff no.",
                "Origin",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            totals: vec![
                ("Total pieces".into(), self.pieces().to_string()),
                (
                    "Total gross weight (kg)".into(),
                    self.gross_weight_g().map(kg).unwrap_or_else(|| "-".into()),
                ),
                ("Total value".into(), self.money(self.total_value_cents())),
            ],
            explanation: self.explanation(),
            declaration: "I, the undersigned, whose name and address are given on the item, \
                          certify that the particulars given in this declaration are correct \
                          and that this item does not contain any dangerous article or articles \
                          prohibited by legislation or by postal or customs regulations."
                .into(),
            place_date: format!(
                "{}{}",
                if self.place.is_empty() {
                    String::new()
                } else {
                    format!("{}, ", self.place)
                },
                local_date(self.issued_at)
            ),
        }
    }

    /// The bill as plain text: the same facts, a table of fixed-width columns.
    pub fn text(&self) -> String {
        let c = self.content();
        let mut out = String::new();
        out.push_str(&c.title);
        out.push('\n');
        out.push_str(&c.subtitle);
        out.push_str("\n\n");
        out.push_str("From:\n");
        for line in &c.from {
            out.push_str(&format!("  {line}\n"));
        }
        out.push_str("To:\n");
        for line in &c.to {
            out.push_str(&format!("  {line}\n"));
        }
        out.push('\n');
        let label_width = c
            .facts
            .iter()
            .chain(&c.totals)
            .map(|(l, _)| l.chars().count())
            .max()
            .unwrap_or(0)
            + 2;
        let row = |(l, v): &(String, String)| format!("{:label_width$}{v}\n", format!("{l}:"));
        c.facts.iter().for_each(|f| out.push_str(&row(f)));
        out.push('\n');
        let mut widths: Vec<usize> = c.columns.iter().map(|h| h.chars().count()).collect();
        for r in &c.rows {
            for (w, cell) in widths.iter_mut().zip(r) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| {
            let mut l = String::new();
            for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
                if i > 0 {
                    l.push_str("  ");
                }
                let pad = w.saturating_sub(cell.chars().count());
                l.push_str(cell);
                l.push_str(&" ".repeat(pad));
            }
            l.truncate(l.trim_end().len());
            l.push('\n');
            l
        };
        out.push_str(&line(&c.columns));
        for r in &c.rows {
            out.push_str(&line(r));
        }
        out.push('\n');
        c.totals.iter().for_each(|f| out.push_str(&row(f)));
        out.push('\n');
        let mut width = 0;
        for word in c.declaration.split_whitespace() {
            if width > 0 && width + 1 + word.chars().count() > 88 {
                out.push('\n');
                width = 0;
            } else if width > 0 {
                out.push(' ');
                width += 1;
            }
            out.push_str(word);
            width += word.chars().count();
        }
        out.push_str("\n\n");
        out.push_str(&format!(
            "Place and date: {}    Signature: ____________________\n",
            c.place_date
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tablets_are_told_by_name_when_nothing_else_says() {
        for tablet in [
            "CECT Tab 8",
            "CECT Tab8",
            "CECT Tablet X",
            "MatePad 11",
            "iPad mini",
            "TAB-S9",
        ] {
            assert_eq!(DeviceKind::by_name(tablet), DeviceKind::Tablet, "{tablet}");
        }
        for phone in [
            "CECT P30 Pro",
            "Stable One",
            "Pad",
            "Table Phone",
            "Tabby X1",
        ] {
            assert_eq!(DeviceKind::by_name(phone), DeviceKind::Phone, "{phone}");
        }
    }

    #[test]
    fn file_names_carry_the_number_and_the_count() {
        assert_eq!(
            Bill::file_name_of(42, "RMA-2026-00042", 1),
            "B-000042-RMA-2026-00042.pdf"
        );
        assert_eq!(
            Bill::file_name_of(42, "RMA-2026-00042", 5),
            "B-000042-RMA-2026-00042+4.pdf"
        );
        assert_eq!(
            Bill::parse_file_name("B-000042-RMA-2026-00042+4.pdf"),
            Some((42, "RMA-2026-00042"))
        );
        assert_eq!(
            Bill::parse_file_name("B-000042-RMA-2026-00042.pdf"),
            Some((42, "RMA-2026-00042"))
        );
        assert_eq!(Bill::parse_file_name("B-x-RMA.pdf"), None);
    }
}
