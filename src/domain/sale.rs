//! The sales registry: every device the shop sold, by IMEI.

use chrono::NaiveDate;

use super::imei::Imei;
use super::warranty::{Category, SoldItem};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    pub imei: Imei,
    pub order_number: String,
    pub customer_number: String,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    pub customer_address: Option<String>,
    pub country: Option<String>,
    pub model: String,
    pub category: Category,
    pub dispatched_on: NaiveDate,
}

impl Sale {
    pub fn sold_item(&self) -> SoldItem {
        SoldItem {
            category: self.category,
            dispatched_on: self.dispatched_on,
        }
    }
}
