//! A parcel: several devices shipped back together under one S10 number. It goes to one
//! customer at one address, or the post could not deliver it as one.

use thiserror::Error;

use super::case::Case;
use super::rma::RmaNumber;
use super::sale::Sale;
use super::text::clean_line;

/// Why devices cannot go out in one parcel.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParcelError {
    /// The devices belong to different customers.
    #[error(
        "a parcel goes to one customer, but these devices belong to {}: {}; nothing was shipped: ship each customer's devices in a parcel of their own",
        groups.len(),
        describe(groups)
    )]
    Customers {
        /// Each customer number with its devices in the parcel.
        groups: Vec<(String, Vec<RmaNumber>)>,
    },
    /// The devices belong to one customer, but the sales registry sends them to
    /// different addresses.
    #[error(
        "the sales registry gives customer {customer}'s devices different addresses, {}; nothing was shipped: ship the devices for each address in a parcel of their own",
        describe(groups)
    )]
    Addresses {
        /// The customer number.
        customer: String,
        /// Each address (as the registry writes it) with its devices in the parcel.
        groups: Vec<(String, Vec<RmaNumber>)>,
    },
}

fn describe(groups: &[(String, Vec<RmaNumber>)]) -> String {
    groups
        .iter()
        .map(|(what, rmas)| {
            let rmas: Vec<String> = rmas.iter().map(RmaNumber::to_string).collect();
            format!("{} for {what}", rmas.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Where a sale's device is delivered, compared without case, punctuation or spacing
/// differences ("Main St. 1" and "main st 1" are one address).
fn address_key(sale: Option<&Sale>) -> String {
    let Some(sale) = sale else {
        return String::new();
    };
    [sale.customer_address.as_deref(), sale.country.as_deref()]
        .into_iter()
        .flatten()
        .flat_map(|s| s.chars())
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn shown_address(sale: Option<&Sale>) -> String {
    let parts: Vec<String> = sale
        .into_iter()
        .flat_map(|s| [s.customer_address.as_deref(), s.country.as_deref()])
        .flatten()
        .map(clean_line)
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        "no address".into()
    } else {
        parts.join(", ")
    }
}

/// Check that the devices (each case with its sale) can travel in one parcel: one
/// customer, one address.
pub fn check(items: &[(&Case, Option<&Sale>)]) -> Result<(), ParcelError> {
    let mut customers: Vec<(String, Vec<RmaNumber>)> = Vec::new();
    for (case, _) in items {
        let who = clean_line(&case.customer_number);
        match customers.iter_mut().find(|(c, _)| *c == who) {
            Some((_, rmas)) => rmas.push(case.rma),
            None => customers.push((who, vec![case.rma])),
        }
    }
    if customers.len() > 1 {
        return Err(ParcelError::Customers { groups: customers });
    }
    let mut addresses: Vec<(String, String, Vec<RmaNumber>)> = Vec::new();
    for (case, sale) in items {
        let key = address_key(*sale);
        match addresses.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, _, rmas)) => rmas.push(case.rma),
            None => addresses.push((key, shown_address(*sale), vec![case.rma])),
        }
    }
    if addresses.len() > 1 {
        return Err(ParcelError::Addresses {
            customer: customers
                .into_iter()
                .next()
                .map(|(c, _)| c)
                .unwrap_or_default(),
            groups: addresses
                .into_iter()
                .map(|(_, shown, rmas)| (shown, rmas))
                .collect(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Category, Imei, Part, Stage, Verdict};
    use chrono::{NaiveDate, TimeZone, Utc};

    fn case_for(seq: u32, customer: &str) -> Case {
        let t = Utc.with_ymd_and_hms(2026, 5, 4, 9, 0, 0).unwrap();
        Case {
            id: i64::from(seq),
            rma: RmaNumber::new(2026, seq),
            imei: Imei::parse("490154203237518").unwrap(),
            stage: Stage::Inspected,
            outcome: None,
            verdict: Verdict::Covered,
            verdict_reason: "Covered.".into(),
            goodwill: None,
            order_number: "SO-1".into(),
            customer_number: customer.into(),
            model: "CECT P30".into(),
            fault: "no power".into(),
            part: Part::Device,
            tracking_in: None,
            manufacturer_ref: None,
            tracking_out: None,
            rounds: 1,
            claimed_at: t,
            opened_at: t,
            stage_since: t,
            updated_at: t,
            version: 1,
        }
    }

    fn sale(address: &str, country: &str) -> Sale {
        Sale {
            imei: Imei::parse("490154203237518").unwrap(),
            order_number: "SO-1".into(),
            customer_number: "C-1".into(),
            customer_name: Some("Smart Gent".into()),
            customer_email: None,
            customer_address: Some(address.into()),
            country: Some(country.into()),
            customer_phone: None,
            model: "P30".into(),
            category: Category::Phone,
            dispatched_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        }
    }

    #[test]
    fn one_customer_at_one_address_is_one_parcel() {
        let (a, b) = (case_for(1, "C-1"), case_for(2, "C-1"));
        let (sa, sb) = (
            sale("Veldstraat 1, Gent", "BE"),
            sale("veldstraat 1 gent", "be"),
        );
        assert_eq!(check(&[(&a, Some(&sa)), (&b, Some(&sb))]), Ok(()));
        assert_eq!(check(&[(&a, None)]), Ok(()));
    }

    #[test]
    fn different_customers_are_named_with_their_devices() {
        let (a, b, c) = (case_for(1, "C-1"), case_for(2, "C-2"), case_for(3, "C-1"));
        let e = check(&[(&a, None), (&b, None), (&c, None)])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(
                "belong to 2: RMA-2026-00001, RMA-2026-00003 for C-1; RMA-2026-00002 for C-2"
            ),
            "{e}"
        );
        assert!(e.contains("nothing was shipped"), "{e}");
    }

    #[test]
    fn one_customer_at_two_addresses_is_refused() {
        let (a, b) = (case_for(1, "C-1"), case_for(2, "C-1"));
        let (sa, sb) = (
            sale("Veldstraat 1, Gent", "BE"),
            sale("Kouter 9, Gent", "BE"),
        );
        let e = check(&[(&a, Some(&sa)), (&b, Some(&sb))])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("customer C-1's devices different addresses"),
            "{e}"
        );
        assert!(e.contains("RMA-2026-00002 for Kouter 9, Gent, BE"), "{e}");
    }
}
