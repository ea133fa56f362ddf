//! The sales registry: every device the shop sold, by IMEI.

use chrono::NaiveDate;

use super::imei::Imei;
use super::warranty::{Category, SoldItem};

/// One sale from the sales registry: the device, who bought it and when it left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    /// The IMEI of the device sold.
    pub imei: Imei,
    /// The shop's order number.
    pub order_number: String,
    /// The shop's customer number.
    pub customer_number: String,
    /// The customer's name for the bill and messages; `None` if the registry has none.
    pub customer_name: Option<String>,
    /// Where customer messages go; `None` if the registry has none.
    pub customer_email: Option<String>,
    /// The postal address for the return parcel and the bill; `None` if the registry has none.
    pub customer_address: Option<String>,
    /// The customer's country as the registry writes it (it picks the customs wording);
    /// `None` if unknown.
    pub country: Option<String>,
    /// The customer's phone number, for the parcel's addressee; `None` if the registry has
    /// none (the sales CSV's `customer_phone` column is optional).
    pub customer_phone: Option<String>,
    /// The device model.
    pub model: String,
    /// What was sold: phone, tablet, accessory or component.
    pub category: Category,
    /// The day the shop dispatched it; the guarantee starts 5 days later.
    pub dispatched_on: NaiveDate,
}

impl Sale {
    /// The facts the warranty verdict needs.
    pub fn sold_item(&self) -> SoldItem {
        SoldItem {
            category: self.category,
            dispatched_on: self.dispatched_on,
        }
    }
}
