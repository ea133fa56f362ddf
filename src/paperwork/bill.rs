//! The customs repair bill. The policy: "The device will be packaged and returned to you
//! free of charge by China Post. A repair bill of €0.00 is applied for customs
//! clearance purposes." One [`Bill::content`] feeds both the PDF and the plain text, so
//! the two always say the same.

use chrono::{DateTime, Utc};

use super::{Settings, customer_block, customer_line, format_amount};
use crate::domain::case::Case;
use crate::domain::sale::Sale;
use crate::domain::text::clean_line;
use crate::domain::time::local_date;

/// A bill as it was issued. Everything on it is kept, so a reprint shows what the parcel
/// carried even if the configuration changed since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bill {
    /// Sequential, never reused; 0 until the store assigned it.
    pub number: i64,
    /// The row id of the case shipped.
    pub case_id: i64,
    /// When it was issued (the ship).
    pub issued_at: DateTime<Utc>,
    /// The case's RMA number.
    pub rma: String,
    /// The sales order the device was sold on.
    pub order_number: String,
    /// The device model.
    pub model: String,
    /// The device's IMEI.
    pub imei: String,
    /// The China Post S10 number of the parcel it goes in.
    pub tracking_out: String,
    /// The receiver's name; `None` when the sales registry has none.
    pub customer_name: Option<String>,
    /// The receiver's address, lines joined by newlines; `None` when the sales registry has
    /// none.
    pub customer_address: Option<String>,
    /// The receiver's country; `None` when the sales registry has none.
    pub country: Option<String>,
    /// The sender: the shop's name.
    pub shop_name: String,
    /// The sender's address, one line each.
    pub shop_address: Vec<String>,
    /// How the goods are described for customs.
    pub description: String,
    /// How many items (always 1: one device per parcel).
    pub quantity: u32,
    /// The declared value, in cents.
    pub value_cents: i64,
    /// The 3-letter currency code.
    pub currency: String,
}

/// What a bill shows, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    /// The heading.
    pub title: String,
    /// The sender: shop name first.
    pub from: Vec<String>,
    /// (label, value) facts about the shipment.
    pub facts: Vec<(String, String)>,
    /// The receiver: name, address lines, country.
    pub to: Vec<String>,
    /// The one line of goods.
    pub item: Vec<(String, String)>,
    /// (label, amount) of the total line.
    pub total: (String, String),
    /// The closing line: why the bill exists.
    pub footer: String,
}

const MISSING: &str = "(not in the sales registry)";

impl Bill {
    /// A new bill (number 0) for a case being shipped today.
    pub fn draft(settings: &Settings, case: &Case, sale: Option<&Sale>, at: DateTime<Utc>) -> Bill {
        let country = sale.and_then(|s| customer_line(s.country.as_deref()));
        let declared = settings.declaration(country.as_deref());
        Bill {
            number: 0,
            case_id: case.id,
            issued_at: at,
            rma: case.rma.to_string(),
            order_number: clean_line(&case.order_number),
            model: clean_line(&case.model),
            imei: case.imei.to_string(),
            tracking_out: case.tracking_out.clone().unwrap_or_default(),
            customer_name: sale.and_then(|s| customer_line(s.customer_name.as_deref())),
            customer_address: sale.and_then(|s| customer_block(s.customer_address.as_deref())),
            country,
            shop_name: settings.shop_name.clone(),
            shop_address: settings.shop_address.clone(),
            description: declared.wording.clone(),
            quantity: 1,
            value_cents: declared.value_cents,
            currency: declared.currency.clone(),
        }
    }

    /// "B-000042".
    pub fn label(&self) -> String {
        format!("B-{:06}", self.number)
    }

    /// The file name a bill is written under: its number and RMA.
    pub fn file_name(&self) -> String {
        Bill::file_name_of(self.number, &self.rma)
    }

    /// The file name of bill `number` for the case `rma`.
    pub fn file_name_of(number: i64, rma: &str) -> String {
        format!("B-{number:06}-{rma}.pdf")
    }

    /// The bill number and RMA a bill file is named by, if `name` is one.
    pub fn parse_file_name(name: &str) -> Option<(i64, &str)> {
        let rest = name.strip_prefix("B-")?.strip_suffix(".pdf")?;
        let (number, rma) = rest.split_once('-')?;
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some((number.parse().ok()?, rma))
    }

    /// What the bill shows, for the PDF and the plain text alike.
    pub fn content(&self) -> Content {
        let mut from = vec![self.shop_name.clone()];
        if self.shop_address.is_empty() {
            from.push("(shop address not configured: set [shop] address in config.toml)".into());
        } else {
            from.extend(self.shop_address.iter().cloned());
        }
        let mut to = vec![
            self.customer_name
                .clone()
                .unwrap_or_else(|| format!("Customer name {MISSING}")),
        ];
        match &self.customer_address {
            Some(a) => to.extend(a.lines().map(str::to_string)),
            None => to.push(format!("Address {MISSING}")),
        }
        to.push(match &self.country {
            Some(c) => format!("Country: {c}"),
            None => format!("Country {MISSING}"),
        });
        let value = format!("{} {}", self.currency, format_amount(self.value_cents));
        Content {
            title: "Repair bill (customs)".into(),
            from,
            facts: vec![
                ("Bill number".into(), self.label()),
                ("Date".into(), local_date(self.issued_at).to_string()),
                ("RMA".into(), self.rma.clone()),
                ("Order number".into(), self.order_number.clone()),
                (
                    "Tracking number".into(),
                    format!(
                        "{} ({})",
                        self.tracking_out,
                        crate::domain::tracking::post_of(
                            self.tracking_out.get(11..).unwrap_or_default()
                        )
                    ),
                ),
            ],
            to,
            item: vec![
                ("Description".into(), self.description.clone()),
                ("Model".into(), self.model.clone()),
                ("IMEI".into(), self.imei.clone()),
                ("Quantity".into(), self.quantity.to_string()),
                ("Value".into(), value.clone()),
            ],
            total: ("Total declared value".into(), value),
            footer: "The device was sent to us under warranty and is returned to its owner \
                     free of charge."
                .into(),
        }
    }

    /// The bill as plain text, one fact per line.
    pub fn text(&self) -> String {
        let c = self.content();
        let width = c
            .facts
            .iter()
            .chain(&c.item)
            .chain(std::iter::once(&c.total))
            .map(|(l, _)| l.chars().count())
            .max()
            .unwrap_or(0)
            + 2;
        let row = |(l, v): &(String, String)| format!("{:width$}{v}\n", format!("{l}:"));
        let mut out = String::new();
        for line in &c.from {
            out.push_str(line);
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&c.title.to_uppercase());
        out.push_str("\n\n");
        c.facts.iter().for_each(|f| out.push_str(&row(f)));
        out.push_str("\nShip to:\n");
        for line in &c.to {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
        out.push('\n');
        c.item.iter().for_each(|f| out.push_str(&row(f)));
        out.push('\n');
        out.push_str(&row(&c.total));
        out.push('\n');
        out.push_str(&c.footer);
        out.push('\n');
        out
    }
}
