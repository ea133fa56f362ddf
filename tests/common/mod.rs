//! Fixtures shared by the store-level tests.

use chrono::NaiveDate;
use rmaboard::domain::{Category, Imei, Sale};

/// A phone sold to a reseller on 10 January 2026 (under guarantee through March 2027).
pub fn phone(imei: &Imei) -> Sale {
    Sale {
        imei: imei.clone(),
        order_number: "SO-1".into(),
        customer_number: "C-1".into(),
        customer_name: Some("Mobile Hub".into()),
        customer_email: None,
        customer_address: None,
        country: Some("NL".into()),
        customer_phone: None,
        model: "CECT P30".into(),
        category: Category::Phone,
        dispatched_on: NaiveDate::from_ymd_opt(2026, 1, 10).unwrap_or_default(),
    }
}
