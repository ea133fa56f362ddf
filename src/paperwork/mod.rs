//! The paperwork a case produces: the customs declaration (CN 23) printed for the parcel,
//! and the messages the policy promises customers (RMA instructions on opening, the tracking
//! number on shipping). Pure: what they say and look like. The store records them in
//! the transaction of the move that causes them; the workshop's delivery writes the
//! PDF files and mails the outbox.

pub mod bill;
mod cn23;
pub mod message;
pub mod pdf;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::config::Config;
use crate::domain::text::{clean_line, clean_text};

pub use bill::{Bill, BillItem, DeviceKind, Party};
pub use message::{Dropped, MessageKind, OutboxMessage, OutboxStatus, Template};
pub use pdf::FontChoice;

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
    /// An HS tariff number, origin or category that cannot be printed on a declaration.
    #[error("{place} = {value:?} is not usable: {expected}; fix it in config.toml")]
    BadCustoms {
        /// Where in the configuration, such as `[customs.phone] hs_code`.
        place: String,
        /// What it says.
        value: String,
        /// What it should look like.
        expected: &'static str,
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
    /// The declared value of one device, in cents (0 for the policy's EUR 0.00).
    pub value_cents: i64,
    /// The 3-letter currency code, such as `EUR`.
    pub currency: String,
    /// The reason given for a repaired device.
    pub wording: String,
    /// The reason given for a device returned unrepaired (never the word repair).
    pub wording_unrepaired: String,
}

/// How one kind of device is declared: HS tariff number, origin, net weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goods {
    /// The HS tariff number, such as `8517.13`.
    pub hs_code: String,
    /// The ISO country code of the country of origin, such as `CN`.
    pub origin: String,
    /// The net weight of one device, in grams.
    pub net_weight_g: u32,
}

/// What `[customs.model."MODEL"]` says of one model; `None` keeps its kind's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelGoods {
    /// Phone or tablet, whatever the name or the sales registry say.
    pub kind: Option<DeviceKind>,
    /// The HS tariff number.
    pub hs_code: Option<String>,
    /// The country of origin.
    pub origin: Option<String>,
    /// The net weight of one device, in grams.
    pub net_weight_g: Option<u32>,
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
    /// The shop's telephone number, the sender's on the customs declaration.
    pub shop_phone: Option<String>,
    /// Where the declaration is signed.
    pub place: String,
    /// Grams of packaging added to the devices' weight for a parcel's gross weight.
    pub packaging_g: u32,
    /// The customs declaration for countries without their own.
    pub customs: Declaration,
    /// Keyed by the lower-cased country as the sales registry writes it.
    pub customs_by_country: BTreeMap<String, Declaration>,
    /// How a smartphone is declared.
    pub phone: Goods,
    /// How a tablet is declared.
    pub tablet: Goods,
    /// Per model (lower-cased, as the sales registry writes it).
    pub models: BTreeMap<String, ModelGoods>,
    /// The fonts a PDF may use besides the built-in one.
    pub fonts: FontChoice,
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
        let customs = crate::config::CustomsConfig::default();
        Settings {
            shop_name: shop.name,
            shop_address: shop.address,
            shop_email: shop.email,
            shop_phone: None,
            place: String::new(),
            packaging_g: customs.packaging_g,
            customs: Declaration {
                value_cents: 0,
                currency: "EUR".into(),
                wording: customs.wording,
                wording_unrepaired: customs.wording_unrepaired,
            },
            customs_by_country: BTreeMap::new(),
            phone: DeviceKind::Phone.goods(),
            tablet: DeviceKind::Tablet.goods(),
            models: BTreeMap::new(),
            fonts: FontChoice {
                files: Vec::new(),
                system: true,
            },
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
            wording_unrepaired: clean_line(&c.wording_unrepaired),
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
                wording_unrepaired: o
                    .wording_unrepaired
                    .as_deref()
                    .map(clean_line)
                    .unwrap_or_else(|| customs.wording_unrepaired.clone()),
            };
            by_country.insert(clean_line(country).to_lowercase(), d);
        }
        let goods = |section: &str, kind: DeviceKind, g: &crate::config::CustomsGoods| {
            let base = kind.goods();
            Ok::<_, PaperworkError>(Goods {
                hs_code: match &g.hs_code {
                    Some(v) => hs_code(&format!("[customs.{section}] hs_code"), v)?,
                    None => base.hs_code,
                },
                origin: match &g.origin {
                    Some(v) => origin(&format!("[customs.{section}] origin"), v)?,
                    None => base.origin,
                },
                net_weight_g: g.net_weight_g.unwrap_or(base.net_weight_g),
            })
        };
        let mut models = BTreeMap::new();
        for (model, m) in &c.model {
            let place = format!("[customs.model.{:?}]", clean_line(model));
            let kind = match m.category.as_deref().map(str::trim) {
                None => None,
                Some(v) => {
                    Some(
                        DeviceKind::parse(v).ok_or_else(|| PaperworkError::BadCustoms {
                            place: format!("{place} category"),
                            value: clean_line(v),
                            expected: "give \"phone\" or \"tablet\"",
                        })?,
                    )
                }
            };
            models.insert(
                clean_line(model).to_lowercase(),
                ModelGoods {
                    kind,
                    hs_code: m
                        .hs_code
                        .as_deref()
                        .map(|v| hs_code(&format!("{place} hs_code"), v))
                        .transpose()?,
                    origin: m
                        .origin
                        .as_deref()
                        .map(|v| origin(&format!("{place} origin"), v))
                        .transpose()?,
                    net_weight_g: m.net_weight_g,
                },
            );
        }
        let shop_address: Vec<String> = config
            .shop
            .address
            .iter()
            .map(|l| clean_line(l))
            .filter(|l| !l.is_empty())
            .collect();
        let place = match clean_line(&c.place) {
            p if p.is_empty() => shop_address.last().cloned().unwrap_or_default(),
            p => p,
        };
        Ok(Settings {
            shop_name: clean_line(&config.shop.name),
            shop_address,
            shop_email: clean_line(&config.shop.email),
            shop_phone: customer_line(Some(&config.shop.phone)),
            place,
            packaging_g: c.packaging_g,
            customs,
            customs_by_country: by_country,
            phone: goods("phone", DeviceKind::Phone, &c.phone)?,
            tablet: goods("tablet", DeviceKind::Tablet, &c.tablet)?,
            models,
            fonts: FontChoice {
                files: config.paperwork.fonts.clone(),
                system: config.paperwork.system_fonts,
            },
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

    /// What a device of `model` is and how it is declared. The kind: `[customs.model]`'s
    /// category if set, else the sales registry's category when it says phone or tablet,
    /// else the model's name (a word "tab", "tab…" or "…pad" makes a tablet), else a
    /// phone. HS number, origin and weight: the model's entry where it sets them, else
    /// the kind's.
    pub fn goods(
        &self,
        model: &str,
        registry: Option<crate::domain::warranty::Category>,
    ) -> (DeviceKind, Goods) {
        use crate::domain::warranty::Category;
        let entry = self.models.get(&clean_line(model).to_lowercase());
        let kind = entry
            .and_then(|e| e.kind)
            .or(match registry {
                Some(Category::Phone) => Some(DeviceKind::Phone),
                Some(Category::Tablet) => Some(DeviceKind::Tablet),
                _ => None,
            })
            .unwrap_or_else(|| DeviceKind::by_name(model));
        let mut goods = match kind {
            DeviceKind::Phone => self.phone.clone(),
            DeviceKind::Tablet => self.tablet.clone(),
        };
        if let Some(e) = entry {
            if let Some(v) = &e.hs_code {
                goods.hs_code = v.clone();
            }
            if let Some(v) = &e.origin {
                goods.origin = v.clone();
            }
            if let Some(v) = e.net_weight_g {
                goods.net_weight_g = v;
            }
        }
        (kind, goods)
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

/// "8517.13", "851713", "8517.13.00": 4 to 10 digits with dots between.
fn hs_code(place: &str, input: &str) -> Result<String, PaperworkError> {
    let s = input.trim();
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    let shaped = s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !s.starts_with('.')
        && !s.ends_with('.')
        && !s.contains("..");
    if shaped && (4..=10).contains(&digits) {
        Ok(s.to_string())
    } else {
        Err(PaperworkError::BadCustoms {
            place: place.to_string(),
            value: clean_line(input),
            expected: "give an HS tariff number like 8517.13",
        })
    }
}

/// A 2-letter ISO country code, upper-cased.
fn origin(place: &str, input: &str) -> Result<String, PaperworkError> {
    let s = input.trim().to_ascii_uppercase();
    if s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(s)
    } else {
        Err(PaperworkError::BadCustoms {
            place: place.to_string(),
            value: clean_line(input),
            expected: "give a 2-letter country code like CN",
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
