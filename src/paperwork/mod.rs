//! The paperwork a case produces: the customs repair bill printed for the parcel, and the
//! messages the policy promises customers (RMA instructions on opening, the tracking
//! number on shipping). Pure: what they say and look like. The store records them in
//! the transaction of the move that causes them; the workshop's delivery writes the
//! PDF files and mails the outbox.

pub mod bill;
pub mod message;
pub mod pdf;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::config::Config;
use crate::domain::text::{clean_line, clean_text};

pub use bill::Bill;
pub use message::{Dropped, MessageKind, OutboxMessage, OutboxStatus, Template};

/// Paperwork settings or templates that cannot be used; each says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PaperworkError {
    /// A customs value that is not an amount.
    #[error(
        "the customs value {value:?} in {place} is not an amount like 0.00 or 35.50: fix it in config.toml"
    )]
    BadAmount {
        /// Where in the configuration, such as `[customs] value`.
        place: String,
        /// What it says.
        value: String,
    },
    /// A customs currency that is not a 3-letter code.
    #[error(
        "the customs currency {value:?} in {place} is not a 3-letter code like EUR: fix it in config.toml"
    )]
    BadCurrency {
        /// Where in the configuration, such as `[customs] currency`.
        place: String,
        /// What it says.
        value: String,
    },
    /// A message template that cannot be used.
    #[error("the message template {name} is not usable: {problem}")]
    Template {
        /// The template's file name, or which built-in one.
        name: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A message template file that cannot be read.
    #[error("could not read the message template {}: {problem}", path.display())]
    ReadTemplate {
        /// The template file.
        path: PathBuf,
        /// Why it could not be read.
        problem: String,
    },
}

/// What the customs bill declares for one destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    /// The declared value, in cents (0 for the policy's EUR 0.00).
    pub value_cents: i64,
    /// The 3-letter currency code, such as `EUR`.
    pub currency: String,
    /// How the goods are described on the bill.
    pub wording: String,
}

/// Everything the paperwork needs from the configuration, checked once. The store keeps
/// it for its connection so that shipping can draw the bill in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// The shop's name, as the sender on bills and messages.
    pub shop_name: String,
    /// The shop's postal address, one line each.
    pub shop_address: Vec<String>,
    /// The address customer messages come from.
    pub shop_email: String,
    /// The customs declaration for countries without their own.
    pub customs: Declaration,
    /// Keyed by the lower-cased country as the sales registry writes it.
    pub customs_by_country: BTreeMap<String, Declaration>,
    /// The template of the message sent on opening.
    pub rma_instructions: Template,
    /// The template of the message sent on shipping.
    pub shipping_notice: Template,
    /// The RMA instructions for several devices of one reseller opened together.
    pub rma_instructions_many: Template,
    /// The shipping notice of a parcel of several devices.
    pub shipping_notice_many: Template,
    /// The template of the refusal of a customer's request.
    pub request_refusal: Template,
    /// The template of a question answering a customer's request.
    pub request_question: Template,
}

impl Default for Settings {
    fn default() -> Self {
        let shop = crate::config::ShopConfig::default();
        Settings {
            shop_name: shop.name,
            shop_address: shop.address,
            shop_email: shop.email,
            customs: Declaration {
                value_cents: 0,
                currency: "EUR".into(),
                wording: crate::config::CustomsConfig::default().wording,
            },
            customs_by_country: BTreeMap::new(),
            rma_instructions: Template::builtin(MessageKind::RmaInstructions),
            shipping_notice: Template::builtin(MessageKind::ShippingNotice),
            rma_instructions_many: Template::builtin_many(MessageKind::RmaInstructions),
            shipping_notice_many: Template::builtin_many(MessageKind::ShippingNotice),
            request_refusal: Template::builtin(MessageKind::RequestRefusal),
            request_question: Template::builtin(MessageKind::RequestQuestion),
        }
    }
}

impl Settings {
    /// The settings from `config`, with message templates from `templates` (the
    /// config folder's `templates/`) where a file there overrides the built-in one.
    pub fn from_config(
        config: &Config,
        templates: Option<&Path>,
    ) -> Result<Settings, PaperworkError> {
        let c = &config.customs;
        let customs = Declaration {
            value_cents: parse_amount("[customs] value", &c.value)?,
            currency: currency("[customs] currency", &c.currency)?,
            wording: clean_line(&c.wording),
        };
        let mut by_country = BTreeMap::new();
        for (country, o) in &c.country {
            let place = format!("[customs.country.{}]", clean_line(country));
            let d = Declaration {
                value_cents: match &o.value {
                    Some(v) => parse_amount(&place, v)?,
                    None => customs.value_cents,
                },
                currency: match &o.currency {
                    Some(v) => currency(&place, v)?,
                    None => customs.currency.clone(),
                },
                wording: o
                    .wording
                    .as_deref()
                    .map(clean_line)
                    .unwrap_or_else(|| customs.wording.clone()),
            };
            by_country.insert(clean_line(country).to_lowercase(), d);
        }
        Ok(Settings {
            shop_name: clean_line(&config.shop.name),
            shop_address: config
                .shop
                .address
                .iter()
                .map(|l| clean_line(l))
                .filter(|l| !l.is_empty())
                .collect(),
            shop_email: clean_line(&config.shop.email),
            customs,
            customs_by_country: by_country,
            rma_instructions: Template::load(MessageKind::RmaInstructions, templates)?,
            shipping_notice: Template::load(MessageKind::ShippingNotice, templates)?,
            rma_instructions_many: Template::load_many(MessageKind::RmaInstructions, templates)?,
            shipping_notice_many: Template::load_many(MessageKind::ShippingNotice, templates)?,
            request_refusal: Template::load(MessageKind::RequestRefusal, templates)?,
            request_question: Template::load(MessageKind::RequestQuestion, templates)?,
        })
    }

    /// The declaration for a destination country as the sales registry names it.
    pub fn declaration(&self, country: Option<&str>) -> &Declaration {
        country
            .map(|c| clean_line(c).to_lowercase())
            .and_then(|c| self.customs_by_country.get(&c))
            .unwrap_or(&self.customs)
    }

    /// The template of a kind of message.
    pub fn template(&self, kind: MessageKind) -> &Template {
        match kind {
            MessageKind::RmaInstructions => &self.rma_instructions,
            MessageKind::ShippingNotice => &self.shipping_notice,
            MessageKind::RequestRefusal => &self.request_refusal,
            MessageKind::RequestQuestion => &self.request_question,
        }
    }

    /// The template of a kind of message about several cases at once.
    pub fn template_many(&self, kind: MessageKind) -> &Template {
        match kind {
            MessageKind::RmaInstructions => &self.rma_instructions_many,
            MessageKind::ShippingNotice => &self.shipping_notice_many,
            MessageKind::RequestRefusal | MessageKind::RequestQuestion => self.template(kind),
        }
    }
}

/// "0.00", "35", "35.5", "1234.50" -> cents. Anything else is refused.
pub fn parse_amount(place: &str, input: &str) -> Result<i64, PaperworkError> {
    let bad = || PaperworkError::BadAmount {
        place: place.to_string(),
        value: clean_line(input),
    };
    let s = input.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 9 || !digits(whole) || frac.len() > 2 || !digits(frac) {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
        _ => frac.parse().map_err(|_| bad())?,
    };
    Ok(whole * 100 + frac)
}

/// Cents as "0.00".
pub fn format_amount(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn currency(place: &str, input: &str) -> Result<String, PaperworkError> {
    let c = input.trim().to_ascii_uppercase();
    if c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(c)
    } else {
        Err(PaperworkError::BadCurrency {
            place: place.to_string(),
            value: clean_line(input),
        })
    }
}

/// Customer text from the sales registry, made safe for a document or an email body.
pub(crate) fn customer_line(s: Option<&str>) -> Option<String> {
    s.map(clean_line).filter(|s| !s.is_empty())
}

pub(crate) fn customer_block(s: Option<&str>) -> Option<String> {
    s.map(clean_text).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact() {
        assert_eq!(parse_amount("x", "0.00"), Ok(0));
        assert_eq!(parse_amount("x", "35"), Ok(3500));
        assert_eq!(parse_amount("x", "35.5"), Ok(3550));
        assert_eq!(parse_amount("x", " 1234.05 "), Ok(123_405));
        for bad in ["", "-1", "1.234", "1,50", "abc", ".5", "1e3"] {
            assert!(parse_amount("x", bad).is_err(), "{bad:?}");
        }
        assert_eq!(format_amount(0), "0.00");
        assert_eq!(format_amount(3505), "35.05");
    }

    #[test]
    fn a_country_can_declare_the_repair_value() {
        let config: Config = toml::from_str(
            "[customs]\nvalue = \"0.00\"\n[customs.country.CH]\nvalue = \"35.00\"\nwording = \"Repair value\"\n",
        )
        .unwrap();
        let s = Settings::from_config(&config, None).unwrap();
        assert_eq!(s.declaration(Some("ch")).value_cents, 3500);
        assert_eq!(s.declaration(Some("CH")).wording, "Repair value");
        assert_eq!(s.declaration(Some("CH")).currency, "EUR");
        assert_eq!(s.declaration(Some("NL")).value_cents, 0);
        assert_eq!(s.declaration(None).wording, s.customs.wording);
        assert!(s.customs.wording.contains("no commercial value"));
    }

    #[test]
    fn a_bad_value_names_its_place() {
        let config: Config = toml::from_str("[customs.country.CH]\nvalue = \"35,00\"\n").unwrap();
        let e = Settings::from_config(&config, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("[customs.country.CH]") && e.contains("fix it"),
            "{e}"
        );
    }
}
